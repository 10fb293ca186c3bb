/**
 * Reference server: the `ws` package with Roost's frame shapes and nothing
 * else. Rooms are sets of sockets; a broadcast is a JavaScript loop, which is
 * how ws is used. Usage: node dist/bench/baselines/bare-ws.js --seed FILE [--port N]
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { argValue, handleFrame, readSeed, type BaselineIdentity } from './seed-file.js';

// Started by the bench with --expose-gc: SIGUSR2 asks for a full GC before RSS is read.
const collect = (globalThis as { gc?: () => void }).gc;
if (typeof collect === 'function') process.on('SIGUSR2', () => collect());


const seed = readSeed(argValue('--seed') ?? '');
const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();
let msgId = 0;

const http = createServer((req, res) => {
  if (req.url === '/metrics') res.end(`process_resident_memory_bytes ${process.memoryUsage.rss()}\n`);
  else res.writeHead(404).end();
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 256 * 1024 });
http.on('upgrade', (req, socket, head) => {
  const auth = req.headers.authorization ?? '';
  const who = seed.get(auth.startsWith('Bearer ') ? auth.slice(7) : '');
  if (who === undefined) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const members = rooms.get(who.room) ?? new Set<WebSocket>();
    members.add(ws);
    rooms.set(who.room, members);
    ws.on('message', (data) => {
      const out = handleFrame(String(data), who, seqs, () => ++msgId);
      if (out.reply !== undefined) ws.send(out.reply);
      if (out.publish !== undefined) for (const peer of members) peer.send(out.publish);
    });
    ws.on('close', () => members.delete(ws));
  });
});
http.listen(Number(argValue('--port') ?? 0), '127.0.0.1', () => {
  const addr = http.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  process.stdout.write(`bare-ws listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
setTimeout(() => process.exit(0), Number(argValue('--lifetime-ms') ?? 3_600_000)).unref();
