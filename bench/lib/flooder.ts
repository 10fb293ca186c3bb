/**
 * A flooding client on its own thread (a Worker's script): sends `rate` frames
 * per second until told to stop or `seconds` pass, reconnecting (at most
 * `maxReconnects` times) when the server closes it for abuse, as a misbehaving
 * client would. Posts `{ refused: true }` on its first `rate_limited`, and a
 * FloodSummary at the end. A Worker's script only (import its types with `import type`). Used by `node dist/bench/flood.js` and the flood test.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

export interface FloodJob { url: string; token: string; room: string; rate: number; seconds: number; maxReconnects: number }
export interface FloodSummary { sent: number; closes: number; limited: number }

const job = workerData as FloodJob;
let sent = 0;
let closes = 0;
let limited = 0;
let stop = false;
parentPort?.on('message', () => (stop = true));
const until = Date.now() + job.seconds * 1000;

function connect(): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(job.url, { headers: { Authorization: `Bearer ${job.token}` } });
    ws.on('message', (d) => {
      if (!String(d).includes('rate_limited')) return;
      if (limited++ === 0) parentPort?.postMessage({ refused: true });
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', () => resolve(null));
  });
}

let ws: WebSocket | null = null;
const perTick = Math.max(1, Math.round(job.rate / 100));
while (!stop && Date.now() < until) {
  if (ws === null || ws.readyState !== WebSocket.OPEN) {
    if (ws !== null) closes += 1;
    if (closes > job.maxReconnects) break;
    ws = await connect();
    if (ws === null) { await new Promise((r) => setTimeout(r, 50)); continue; }
  }
  for (let i = 0; i < perTick; i++) {
    ws.send(JSON.stringify({ type: 'send', room: job.room, body: `flood ${sent}`, clientMsgId: `f${sent}` }));
    sent += 1;
  }
  await new Promise((r) => setTimeout(r, 10));
}
ws?.close();
parentPort?.postMessage({ sent, closes, limited } satisfies FloodSummary);
