/**
 * A client flooding at 100× the allowed frame rate is held to its limits while
 * the other clients in its room go on as before: every ping they send during
 * the flood is answered with a pong (none refused, none lost, no socket
 * closed), the flooder is told `rate_limited`, and what it got stored is
 * bounded by the per-user rate over the flood's measured length.
 *
 * The latency figure (others' p99 within 2× of unloaded) depends on this box's
 * load, so it is measured by `node dist/bench/flood.js`, not asserted here.
 */
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { TestClient } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

const PINGS_PER_CLIENT = 60;
/** Normal clients ping every 25 ms (40/s), under the per-socket rate they are allowed. */
const PING_GAP_MS = 25;

/** Each client pings PINGS_PER_CLIENT times, one at a time; returns the frames answered. */
async function pingPhase(clients: TestClient[]): Promise<Array<Record<string, unknown>>> {
  const answers: Array<Record<string, unknown>> = [];
  await Promise.all(clients.map(async (c, n) => {
    for (let i = 0; i < PINGS_PER_CLIENT; i++) {
      answers.push(await c.request({ type: 'ping', id: `c${n}-${i}` }));
      await new Promise((r) => setTimeout(r, PING_GAP_MS));
    }
  }));
  return answers;
}

t.test('a flood at 100x the allowed rate is held to the limits, and every other client\'s ping is still answered', async (t) => {
  // 50 frames/s per socket lets the normal clients ping at 40/s; the flood is 100x that: 5,000 frames/s.
  const s = await startTestServer({ framesPerSecond: 50, frameBurst: 100 });
  t.teardown(() => s.close());
  const users = await Promise.all(['u1', 'u2', 'u3', 'u4', 'flooder'].map((n) => s.user(n)));
  const room = await s.room('busy', ['u1', 'u2', 'u3', 'u4', 'flooder']);
  const clients = await Promise.all(users.slice(0, 4).map((u) => TestClient.connect(s.ws, u.token)));
  t.teardown(() => { for (const c of clients) c.close(); });
  const flooder = users[4];
  if (flooder === undefined) throw new Error('no flooder');
  const closedEarly: number[] = [];
  clients.forEach((c, i) => void c.closed.then(() => closedEarly.push(i)));

  let floodMs = 0;
  let limited = 0;
  let sent = 0;
  const rounds = 2;
  for (let round = 0; round < rounds; round++) {
    t.same((await pingPhase(clients)).filter((f) => f.type !== 'pong'), [], `round ${round + 1}, no flood: every ping answered with a pong`);
    const started = performance.now();
    const worker = new Worker(new URL('../../bench/lib/flooder.ts', import.meta.url), {
      workerData: { url: s.ws, token: flooder.token, room, rate: s.config.framesPerSecond * 100, seconds: 30, maxReconnects: 200 },
    });
    let refused = (): void => undefined;
    const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
    const summary = new Promise<{ sent: number; closes: number; limited: number }>((resolve) => {
      worker.on('message', (m: { refused?: true; sent?: number }) => (m.refused === true ? refused() : resolve(m as { sent: number; closes: number; limited: number })));
    });
    // The flood is under way once the flooder has been refused (or, never refused, it has ended); pings from then on meet it.
    await Promise.race([firstRefusal, summary]);
    const answers = await pingPhase(clients);
    worker.postMessage('stop');
    const stats = await summary;
    floodMs += performance.now() - started;
    await worker.terminate();
    t.same(answers.filter((f) => f.type !== 'pong'), [], `round ${round + 1}, flooded: every ping answered with a pong, none refused`);
    limited += stats.limited;
    sent += stats.sent;
  }
  t.same(closedEarly, [], 'no normal client was closed');
  t.ok(limited > 0, `the flooder was told rate_limited (${limited} times for ${sent} frames)`);
  const stored = s.admin((db) => (db.prepare('SELECT count(*) AS n FROM messages WHERE sender_id = ?').get(Number(flooder.id)) as { n: number }).n);
  // The per-user bucket holds over reconnects: a burst (refilled between rounds), then the
  // sustained rate for as long as the flood lasted, whatever the box's speed.
  const bound = rounds * s.config.userFrameBurst + Math.ceil((s.config.userFramesPerSecond * floodMs) / 1000) + rounds;
  t.ok(stored <= bound, `the flooder stored ${stored} of ${sent} messages sent, within burst + rate x ${(floodMs / 1000).toFixed(1)} s = ${bound}`);
  t.ok(stored < sent, 'and far from all it sent');
});
