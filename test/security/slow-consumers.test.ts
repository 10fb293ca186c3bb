/**
 * Slow consumers that never read: a socket that stops reading must not make
 * the server buffer for it without bound. 500 raw sockets upgrade, then never
 * read again; a talker's messages fan out to them until the kernel buffers
 * (~4.3 MB a socket on loopback here) and maxBackpressureBytes are full, after
 * which uWS drops further frames for them instead of buffering. They never
 * answer a ping, so the idle timeout disconnects them. Server memory stays
 * under a bound (recorded below), and normal clients keep working throughout.
 * The 10,000-socket version is `bench/slow-consumers.ts` (too heavy for the
 * suite: 10,000 sockets need child processes and minutes on 2 cores).
 */
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { TestClient } from '../helpers/client.js';
import { sleep, startTestServer } from '../helpers/server.js';

const CONSUMERS = 500;
const BACKPRESSURE = 64 * 1024;

function slowConsumer(port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('error', reject);
    sock.once('data', (d) => {
      if (!d.toString('latin1').startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${d.toString('latin1').slice(0, 40)}`));
      sock.pause(); // never read again
      resolve(sock);
    });
    sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  });
}

t.test(`${CONSUMERS} consumers that never read are disconnected; memory stays bounded; normal clients keep working`, async (t) => {
  const s = await startTestServer({
    maxBackpressureBytes: BACKPRESSURE, maxSocketsPerUser: CONSUMERS + 10, maxSocketsPerIp: CONSUMERS + 100,
    framesPerSecond: 1000, frameBurst: 1000, userFramesPerSecond: 0, idleTimeoutSeconds: 8,
  });
  const slowUser = await s.user('slow');
  const talker = await s.user('talker');
  const watcher = await s.user('watcher');
  const room = await s.room('crowd', ['slow', 'talker', 'watcher']);
  const consumers: Socket[] = [];
  t.teardown(async () => { for (const c of consumers) c.destroy(); await s.close(); });
  for (let i = 0; i < CONSUMERS; i++) consumers.push(await slowConsumer(s.port, slowUser.token));
  const talk = await TestClient.connect(s.ws, talker.token);
  const watch = await TestClient.connect(s.ws, watcher.token);
  t.teardown(() => { talk.close(); watch.close(); });
  t.equal(s.server.sockets.size, CONSUMERS + 2);

  // What the slow consumers could make the server buffer lives outside V8's heap and its
  // external buffers (uWS's per-socket queues), so that is what the bound is about: RSS minus both. This test
  // process also holds the clients, tap and their garbage; V8's young generation alone may
  // grow by tens of MiB under load (a loaded run saw +117 MiB of RSS against the former
  // 99 MiB bound).
  const native = (): number => { const m = process.memoryUsage(); return m.rss - m.heapTotal - m.external; };
  const rss0 = process.memoryUsage().rss;
  const native0 = native();
  let peak = rss0;
  let nativePeak = native0;
  const body = 'x'.repeat(8000);
  let sent = 0;
  // 700 messages of 8 KB (5.6 MB per consumer: more than the kernel buffers and the bound),
  // then keep talking (bounded: at most 60 s) until every consumer is gone.
  const deadline = Date.now() + 60_000;
  while ((sent < 700 || s.server.sockets.size > 2) && Date.now() < deadline) {
    await talk.request({ type: 'send', room, body, clientMsgId: `m${sent}` }, 10_000);
    sent += 1;
    if (sent % 20 === 0) {
      peak = Math.max(peak, process.memoryUsage().rss);
      nativePeak = Math.max(nativePeak, native());
    }
    if (sent >= 700) await sleep(50);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  nativePeak = Math.max(nativePeak, native());
  const growthMiB = (peak - rss0) / 1048576;
  const nativeGrowthMiB = (nativePeak - native0) / 1048576;
  // Each consumer may hold up to maxBackpressureBytes in uWS before it is closed, plus a message
  // in flight; 256 MiB of slack for the rest of the process (writer thread, malloc arenas), which
  // measured +58 MiB quiet, +112 MiB with two CPU hogs running and +170 MiB on a box at load 8
  // (the slower the server runs, the more arenas the burst touches). Without the backpressure
  // bound the consumers would hold everything sent: 500 x 5.6 MB = 2.8 GB, ten times this bound.
  const boundMiB = (CONSUMERS * (BACKPRESSURE + 8192)) / 1048576 + 256;
  t.comment(`${sent} messages of 8 KB fanned out; ${CONSUMERS} slow consumers closed; rss ${(rss0 / 1048576).toFixed(0)} MiB, peak +${growthMiB.toFixed(0)} MiB; outside V8 (heap and external) +${nativeGrowthMiB.toFixed(0)} MiB (bound ${boundMiB.toFixed(0)} MiB)`);
  t.equal(s.server.sockets.size, 2, 'every slow consumer was disconnected; the two readers remain');
  t.ok(nativeGrowthMiB < boundMiB, `memory outside V8 grew ${nativeGrowthMiB.toFixed(0)} MiB, within consumers x maxBackpressureBytes + 256 MiB`);
  const closed = [...((await s.server.metrics.render()).matchAll(/roost_connections_closed_total\{code="(\d+)"\} (\d+)/g))]
    .reduce((n, m) => n + Number(m[2]), 0);
  t.equal(closed, CONSUMERS, 'each consumer was closed by the server');
  // The normal reader got every message, in order, and still answers.
  const got = watch.frames.filter((f) => f.type === 'message').length;
  t.equal(got, sent, 'the watcher received every message');
  t.match(await watch.request({ type: 'ping' }), { type: 'pong' });
  t.match(await talk.request({ type: 'send', room, body: 'still here', clientMsgId: 'after' }), { type: 'ack' });
});
