/**
 * 10,000 slow consumers that never read (issue 5). Run after `npm run build`:
 *   node dist/bench/slow-consumers.js [--consumers 10000] [--messages 60] [--bytes 1024] [--children 4]
 * The server runs in this process (its RSS is what is measured); the consumer
 * sockets are spread over child processes (the open-files limit is 20,000 per
 * process), each upgrading to /ws and then never reading again. A talker
 * fans messages out to all of them while a watcher measures that normal
 * clients keep working; the consumers never answer a ping, so the idle
 * timeout disconnects them. Prints peak RSS, the time until all are gone and
 * the watcher's worst ping. Loopback only; every loop is bounded.
 * Keep consumers x messages x bytes under ~1 GB: the kernel holds what a
 * non-reading socket has not read (tcp_mem caps all TCP buffers at ~2 GB here).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { hashPassword } from '../src/auth/password.js';
import { configWith } from '../src/config/load.js';
import { startServer } from '../src/gateway/server.js';
import { createLogger } from '../src/log.js';
import { addUser, createRoom } from '../src/store/admin/admin.js';
import { openWritable } from '../src/store/db/database.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mib = (b: number): string => (b / 1048576).toFixed(0);

async function child(): Promise<void> {
  const [port, token, count] = [Number(process.argv[3]), String(process.argv[4]), Number(process.argv[5])];
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    sockets.push(await new Promise<Socket>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('error', reject);
      sock.once('data', (d) => {
        if (!d.toString('latin1').startsWith('HTTP/1.1 101')) reject(new Error('upgrade refused'));
        sock.pause();
        resolve(sock);
      });
      sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    }));
  }
  process.send?.({ ready: count });
  process.on('message', () => { for (const s of sockets) s.destroy(); process.exit(0); });
}

async function login(http: string, name: string, password: string): Promise<string> {
  const res = await fetch(`${http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: name, password }) });
  return ((await res.json()) as { token: string }).token;
}

async function parent(): Promise<void> {
  const consumers = arg('consumers', 10_000);
  const messages = arg('messages', 60);
  const bytes = arg('bytes', 1024);
  const children = arg('children', 4);
  const idle = 16;
  const dataDir = mkdtempSync(join(tmpdir(), 'roost-slow-'));
  const db = openWritable(dataDir);
  const password = 'bench-password-slow';
  const hash = await hashPassword(password);
  for (const n of ['slow', 'talker', 'watcher']) addUser(db, n, 'member', hash);
  const room = String(createRoom(db, 'crowd', ['slow', 'talker', 'watcher']).id);
  db.close();
  const config = configWith({
    dataDir, host: '127.0.0.1', port: 0, logLevel: 'warn', idleTimeoutSeconds: idle, maxBackpressureBytes: 64 * 1024,
    maxSocketsPerUser: consumers + 10, maxSocketsPerIp: consumers + 100, maxConnections: consumers + 100, framesPerSecond: 0, maxBodyChars: bytes + 10,
  });
  const server = await startServer(config, createLogger({ level: 'warn', pretty: false }));
  const http = `http://127.0.0.1:${server.port}`;
  const [slow, talker, watcher] = await Promise.all(['slow', 'talker', 'watcher'].map((n) => login(http, n, password)));
  const rss0 = process.memoryUsage().rss;
  const started = Date.now();
  const kids: ChildProcess[] = [];
  const per = Math.ceil(consumers / children);
  await Promise.all(Array.from({ length: children }, (_, i) => new Promise<void>((resolve, reject) => {
    const n = Math.min(per, consumers - i * per);
    const k = fork(fileURLToPath(import.meta.url), ['child', String(server.port), slow ?? '', String(n)]);
    kids.push(k);
    k.once('message', () => resolve());
    k.once('exit', (code) => reject(new Error(`consumer process exited ${code}`)));
  })));
  console.log(`${server.sockets.size} consumers connected in ${((Date.now() - started) / 1000).toFixed(1)} s; rss ${mib(rss0)} -> ${mib(process.memoryUsage().rss)} MiB`);

  const open = (token: string): Promise<WebSocket> => new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { Authorization: `Bearer ${token}` } });
    ws.once('open', () => resolve(ws));
  });
  const talk = await open(talker ?? '');
  const watch = await open(watcher ?? '');
  let watcherGot = 0;
  let pongAt = 0;
  watch.on('message', (d) => { const f = JSON.parse(String(d)) as { type: string }; if (f.type === 'message') watcherGot += 1; if (f.type === 'pong') pongAt = performance.now(); });
  let peak = process.memoryUsage().rss;
  let worstPing = 0;
  const body = 'x'.repeat(bytes);
  const sendStart = Date.now();
  for (let i = 0; i < messages; i++) {
    talk.send(JSON.stringify({ type: 'send', room, body, clientMsgId: `m${i}` }));
    await sleep(20);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  // Until every consumer is gone (bounded: idle timeout + 60 s), keep measuring the watcher.
  const deadline = Date.now() + (idle + 60) * 1000;
  while (server.sockets.size > 2 && Date.now() < deadline) {
    const t0 = performance.now();
    watch.send(JSON.stringify({ type: 'ping', id: 'w' }));
    for (let i = 0; i < 200 && pongAt < t0; i++) await sleep(10);
    worstPing = Math.max(worstPing, pongAt >= t0 ? pongAt - t0 : 2000);
    peak = Math.max(peak, process.memoryUsage().rss);
    await sleep(250);
  }
  const left = server.sockets.size - 2;
  console.log(`sent ${messages} x ${bytes} B to ${consumers} consumers (${mib(consumers * messages * bytes)} MiB fanned out)`);
  console.log(`consumers still connected: ${left}; all gone ${((Date.now() - sendStart) / 1000).toFixed(1)} s after the first message (idle timeout ${idle} s)`);
  console.log(`server-process RSS: ${mib(rss0)} MiB before consumers, peak ${mib(peak)} MiB (+${mib(peak - rss0)} MiB); bound checked: consumers x 64 KiB backpressure = ${mib(consumers * 64 * 1024)} MiB`);
  console.log(`watcher: ${watcherGot}/${messages} messages, worst ping while consumers were being dropped ${worstPing.toFixed(1)} ms`);
  for (const k of kids) k.send('stop');
  talk.close();
  watch.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exitCode = left === 0 && watcherGot === messages ? 0 : 1;
}

if (process.argv[2] === 'child') await child();
else await parent();
