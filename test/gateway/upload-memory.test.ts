/**
 * A 200 MB upload streams to disk: the server process's resident memory stays
 * within 20 MB of what it was before. The server runs as a child process (the
 * built CLI, as in the durability tests) so its RSS is its own, not the test's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import t, { type Test } from 'tap';
import { login, prepareData, startChild } from '../durability/child-server.js';

const MB = 1024 * 1024;
const SIZE = 200 * MB;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]) * 1024;
}

/** Streams `size` bytes (a repeated 1 MB pattern) with backpressure to a room's upload route, or the Matrix door's (room null). */
function uploadStream(port: number, token: string, room: string | null, size: number): Promise<{ status: number; body: string }> {
  const chunk = Buffer.alloc(MB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, method: 'POST', path: room === null ? '/_matrix/media/v3/upload?filename=big.bin' : `/api/v1/rooms/${room}/files?name=big.bin`,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** One upload door's 200 MB upload, with the server's resident memory sampled around it. */
async function measure(t: Test, door: 'native' | 'matrix'): Promise<void> {
  const f = await prepareData(['alice'], 1);
  const config = JSON.parse(readFileSync(f.configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(f.configFile, JSON.stringify({ ...config, maxUploadBytes: 256 * MB, uploadQuotaBytes: 0 }));
  const child = await startChild(f);
  t.teardown(() => child.proc.kill('SIGKILL'));
  const pid = child.proc.pid ?? 0;
  const token = await login(child.port, 'alice');
  const room = door === 'native' ? f.rooms[0] ?? '' : null;
  const okStatus = door === 'native' ? 201 : 200;
  // Warm up the upload path (buffers, write streams, the route) before the baseline.
  t.equal((await uploadStream(child.port, token, room, 4 * MB)).status, okStatus);
  await new Promise((r) => setTimeout(r, 300));
  const baseline = Math.max(...[0, 1, 2].map(() => rssBytes(pid)));
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 25);
  const started = Date.now();
  const res = await uploadStream(child.port, token, room, SIZE);
  clearInterval(sampler);
  peak = Math.max(peak, rssBytes(pid));
  t.equal(res.status, okStatus, res.body);
  if (door === 'native') t.match(JSON.parse(res.body), { size: SIZE, name: 'big.bin' });
  else t.match(JSON.parse(res.body), { content_uri: /^mxc:\/\// });
  const grew = peak - baseline;
  t.comment(`${door}: 200 MB in ${Date.now() - started} ms; server RSS ${(baseline / MB).toFixed(1)} MB -> peak ${(peak / MB).toFixed(1)} MB (+${(grew / MB).toFixed(1)} MB)`);
  t.ok(grew < 20 * MB, `server RSS grew by ${(grew / MB).toFixed(1)} MB (limit 20 MB)`);
}

t.test('a 200 MB upload keeps the server process within +20 MB of resident memory', (t) => measure(t, 'native'));
t.test('the same through the Matrix door\'s upload (the same intake)', (t) => measure(t, 'matrix'));
