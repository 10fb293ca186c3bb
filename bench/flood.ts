/**
 * One client flooding at 100× the allowed frame rate, against four normal
 * clients' ping round trips (the security target: their p99 within 2× of
 * unloaded). Run after `npm run build`:
 *   node dist/bench/flood.js [--rounds 3] [--pings 60]
 * Unloaded and flooded phases alternate `rounds` times; the medians of the
 * phases' p99s are compared, so one noisy phase cannot decide. The flooder runs
 * on its own thread (bench/lib/flooder.ts) and reconnects when closed, as a misbehaving client would.
 * The server runs in this process. Loopback only; every loop is bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { hashPassword } from '../src/auth/password.js';
import { configWith } from '../src/config/load.js';
import { startServer } from '../src/gateway/server.js';
import { createLogger } from '../src/log.js';
import { addUser, createRoom } from '../src/store/admin/admin.js';
import { openWritable } from '../src/store/db/database.js';
import type { FloodJob, FloodSummary } from './lib/flooder.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.99 * xs.length))] ?? 0;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
/** Normal clients ping every 25 ms (40/s), under the 50 frames/s a socket may send here. */
const PING_GAP_MS = 25;
const FRAMES_PER_SECOND = 50;

/** A normal client: pings one at a time, `pings` times, and returns each round trip in ms. */
async function pingPhase(clients: WebSocket[], pings: number): Promise<number[]> {
  const samples: number[] = [];
  await Promise.all(clients.map(async (ws) => {
    for (let i = 0; i < pings; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(done, 5000);
        function done(): void {
          clearTimeout(timeout);
          ws.off('message', onFrame);
          resolve();
        }
        function onFrame(d: WebSocket.RawData): void {
          if (String(d).includes('"pong"')) done();
        }
        ws.on('message', onFrame);
        ws.send(JSON.stringify({ type: 'ping', id: `p${i}` }));
      });
      samples.push(performance.now() - t0);
      await sleep(PING_GAP_MS);
    }
  }));
  return samples;
}

async function main(): Promise<void> {
  const rounds = arg('rounds', 3);
  const pings = arg('pings', 60);
  const dataDir = mkdtempSync(join(tmpdir(), 'roost-flood-'));
  const password = 'bench-password-flood';
  const names = ['u1', 'u2', 'u3', 'u4', 'flooder'];
  const db = openWritable(dataDir);
  const hash = await hashPassword(password);
  for (const n of names) addUser(db, n, 'member', hash);
  const room = String(createRoom(db, 'busy', names).id);
  db.close();
  const config = configWith({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'warn', framesPerSecond: FRAMES_PER_SECOND, frameBurst: 100 });
  const server = await startServer(config, createLogger({ level: 'warn', pretty: false }));
  const http = `http://127.0.0.1:${server.port}`;
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const tokens = await Promise.all(names.map(async (username) => {
    const res = await fetch(`${http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username, password }) });
    return ((await res.json()) as { token: string }).token;
  }));
  const clients = await Promise.all(tokens.slice(0, 4).map((token) => new Promise<WebSocket>((resolve) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    ws.once('open', () => resolve(ws));
  })));
  const unloaded: number[] = [];
  const flooded: number[] = [];
  for (let round = 0; round < rounds; round++) {
    unloaded.push(p99(await pingPhase(clients, pings)));
    const job: FloodJob = { url, token: tokens[4] ?? '', room, rate: FRAMES_PER_SECOND * 100, seconds: 60, maxReconnects: 200 };
    const worker = new Worker(new URL('./lib/flooder.js', import.meta.url), { workerData: job });
    // The flooder also says when it is first refused; the summary is the message with counts.
    const summary = new Promise<FloodSummary>((resolve) => worker.on('message', (m: Partial<FloodSummary>) => {
      if (typeof m.sent === 'number') resolve(m as FloodSummary);
    }));
    await sleep(300); // let the flood get going
    flooded.push(p99(await pingPhase(clients, pings)));
    worker.postMessage('stop');
    const s = await summary;
    await worker.terminate();
    console.log(`round ${round + 1}: p99 unloaded ${unloaded[round]?.toFixed(2)} ms, flooded ${flooded[round]?.toFixed(2)} ms; flooder sent ${s.sent} frames, was closed ${s.closes} times, refused ${s.limited} times`);
  }
  const base = median(unloaded);
  const loaded = median(flooded);
  console.log(`medians: unloaded ${base.toFixed(2)} ms, flooded ${loaded.toFixed(2)} ms: ${(loaded / Math.max(base, 0.001)).toFixed(2)}x (target: within 2x)`);
  for (const ws of clients) ws.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
