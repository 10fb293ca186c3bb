/**
 * Reference server: bare uWebSockets.js pub/sub with Roost's frame shapes and
 * nothing else (no storage, no limits). What the raw gateway costs.
 * Usage: node dist/bench/baselines/bare-uws.js --seed FILE [--port N]
 */
import { loadUws } from '../../src/gateway/uws.js';
import { argValue, handleFrame, readSeed, type BaselineIdentity } from './seed-file.js';

// Started by the bench with --expose-gc: SIGUSR2 asks for a full GC before RSS is read.
const collect = (globalThis as { gc?: () => void }).gc;
if (typeof collect === 'function') process.on('SIGUSR2', () => collect());


const seed = readSeed(argValue('--seed') ?? '');
const uws = loadUws();
const app = uws.App();
const seqs = new Map<string, number>();
let msgId = 0;
const decoder = new TextDecoder();

app.ws<BaselineIdentity>('/ws', {
  maxPayloadLength: 256 * 1024,
  idleTimeout: 120,
  sendPingsAutomatically: true,
  upgrade: (res, req, context) => {
    const auth = req.getHeader('authorization');
    const who = seed.get(auth.startsWith('Bearer ') ? auth.slice(7) : '');
    if (who === undefined) {
      res.writeStatus('401 Unauthorized').end('{"error":{"code":"unauthorized","message":"unknown token"}}');
      return;
    }
    res.upgrade({ ...who }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
  },
  open: (ws) => {
    ws.subscribe(`room:${ws.getUserData().room}`);
  },
  message: (ws, message) => {
    const id = ws.getUserData();
    const out = handleFrame(decoder.decode(message), id, seqs, () => ++msgId);
    if (out.reply !== undefined) ws.send(out.reply, false);
    if (out.publish !== undefined) app.publish(`room:${id.room}`, out.publish, false);
  },
});
app.get('/metrics', (res) => {
  res.end(`process_resident_memory_bytes ${process.memoryUsage.rss()}\n`);
});
app.listen('127.0.0.1', Number(argValue('--port') ?? 0), (token) => {
  if (!token) {
    process.stderr.write('bare-uws: cannot listen\n');
    process.exit(1);
  }
  process.stdout.write(`bare-uws listening on http://127.0.0.1:${uws.us_socket_local_port(token)}\n`);
});
process.on('SIGTERM', () => process.exit(0));
// Nothing should outlive the harness: a bounded lifetime.
setTimeout(() => process.exit(0), Number(argValue('--lifetime-ms') ?? 3_600_000)).unref();
