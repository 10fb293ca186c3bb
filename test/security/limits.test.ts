import { connect, type Socket } from 'node:net';
import t from 'tap';
import { UserFrameBuckets } from '../../src/gateway/user-rate.js';
import { TestClient, type Frame } from '../helpers/client.js';
import { sleep, startTestServer } from '../helpers/server.js';

/** Raw HTTP over TCP, for requests fetch() will not send (huge heads, half upgrades). */
function rawExchange(port: number, head: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(got); }, timeoutMs);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      // One answer is enough: stop at the end of its head (keep-alive would hold the socket open).
      if (got.includes('\r\n\r\n')) sock.destroy();
    });
    sock.on('close', () => { clearTimeout(timer); resolve(got); });
    sock.on('error', () => undefined);
    sock.write(head);
  });
}

const count = (frames: Frame[], pred: (f: Frame) => boolean): number => frames.filter(pred).length;

t.test('the per-user frame rate is shared by all of a user\'s sockets, one entry per user', async (t) => {
  const s = await startTestServer({ framesPerSecond: 1000, frameBurst: 1000, userFramesPerSecond: 5, userFrameBurst: 10 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const a = await Promise.all([1, 2, 3].map(() => TestClient.connect(s.ws, alice.token)));
  const b = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => { for (const c of [...a, b]) c.close(); });
  const sentAt = Date.now();
  for (let i = 0; i < 30; i++) a[i % 3]?.send({ type: 'ping', id: `p${i}` });
  const bobPong = await b.request({ type: 'ping' });
  t.equal(bobPong.type, 'pong', 'another user is not limited by alice\'s flood');
  // Every one of the 30 frames gets exactly one answer (a pong or a refusal): wait for all 30
  // instead of a fixed pause; the deadline only catches a hang.
  const answered = (f: Frame): boolean => f.type === 'pong' || (f.type === 'error' && f.code === 'rate_limited');
  const deadline = Date.now() + 20_000;
  while (count(a.flatMap((c) => c.frames), answered) < 30 && Date.now() < deadline) await sleep(5);
  const seconds = (Date.now() - sentAt) / 1000;
  const all = a.flatMap((c) => c.frames);
  const pongs = count(all, (f) => f.type === 'pong');
  const limited = count(all, (f) => f.type === 'error' && f.code === 'rate_limited');
  // The bucket refills 5 a second for as long as the 30 frames took to be answered (a loaded box takes longer).
  const most = 10 + Math.ceil(5 * seconds) + 1;
  t.ok(pongs >= 10 && pongs <= most, `burst of 10 (+ refill over ${seconds.toFixed(2)} s, at most ${most}) across 3 sockets: ${pongs} pongs`);
  t.equal(pongs + limited, 30, 'every frame got a pong or a rate_limited error');
  const ids = all.filter((f) => f.type === 'error' && f.code === 'rate_limited').map((f) => f.id);
  t.ok(ids.every((id) => typeof id === 'string' && /^p\d+$/.test(id)), 'each refusal echoes the refused frame\'s id');

  const buckets = new UserFrameBuckets(5, 10);
  for (let i = 0; i < 50; i++) buckets.take(i % 2, 0);
  t.equal(buckets.size, 2, 'two users, two entries, however many frames or sockets');
  buckets.closed(0, 1, 0);
  t.equal(buckets.size, 2, 'kept while the user has a socket open');
  buckets.closed(0, 0, 0);
  t.equal(buckets.size, 2, 'kept after the last socket while drained: reconnecting gives no fresh burst');
  buckets.closed(0, 0, 10_000);
  t.equal(buckets.size, 1, 'dropped once it has refilled');
  t.ok(new UserFrameBuckets(0, 1).take(7, 0), 'rate 0 means no limit');
});

t.test('connection caps: per user and per address get 429 at upgrade', async (t) => {
  const s = await startTestServer({ maxSocketsPerUser: 2, maxSocketsPerIp: 3 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const open = [await TestClient.connect(s.ws, alice.token), await TestClient.connect(s.ws, alice.token)];
  t.teardown(() => { for (const c of open) c.close(); });
  await t.rejects(TestClient.connect(s.ws, alice.token), /upgrade refused: 429/, 'third socket for one user');
  const refused = await rawExchange(s.port, 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n'
    + `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${alice.token}\r\n\r\n`);
  t.match(refused, /^HTTP\/1\.1 429/);
  t.match(refused, /\r\nRetry-After: 5\r\n/i, 'a refused upgrade says when to try again');
  open.push(await TestClient.connect(s.ws, bob.token));
  await t.rejects(TestClient.connect(s.ws, bob.token), /upgrade refused: 429/, 'fourth socket from one address');
});

t.test('oversized frames close with 1009; sustained bad frames close with 1008', async (t) => {
  const s = await startTestServer({ maxFrameBytes: 1024 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const big = await TestClient.connect(s.ws, alice.token);
  big.sendRaw('x'.repeat(2000));
  t.equal((await big.closed).code, 1009);
  const bad = await TestClient.connect(s.ws, alice.token);
  for (let i = 0; i < 40; i++) bad.sendRaw('not json');
  t.equal((await bad.closed).code, 1008);
  t.ok(count(bad.frames, (f) => f.type === 'error' && f.code === 'bad_request') >= 20, 'each bad frame was answered until the close');
});

t.test('a sync naming more rooms than maxSyncRooms gets too_large and the socket stays open', async (t) => {
  const s = await startTestServer({ maxSyncRooms: 3 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const c = await TestClient.connect(s.ws, alice.token);
  t.teardown(() => c.close());
  const since = Object.fromEntries([1, 2, 3, 4].map((r) => [String(r), 0]));
  t.match(await c.request({ type: 'sync', since }), { type: 'error', code: 'too_large' });
  t.match(await c.request({ type: 'ping' }), { type: 'pong' });
});

t.test('HTTP limits: a body over maxHttpBodyBytes gets 413, a head over maxHeaderBytes gets 431', async (t) => {
  const s = await startTestServer({ maxHttpBodyBytes: 1024 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const room = await s.room('general', ['alice']);
  const res = await fetch(`${s.http}/api/v1/rooms/${room}/messages`, {
    method: 'POST', headers: { Authorization: `Bearer ${alice.token}` }, body: JSON.stringify({ body: 'x'.repeat(2000), clientMsgId: 'c1' }),
  });
  t.equal(res.status, 413);
  t.match(await res.json(), { error: { code: 'too_large' } });
  // The default head limit is 4 KiB (uWS reads it once per process).
  const small = await rawExchange(s.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(2000)}\r\n\r\n`);
  t.match(small, /^HTTP\/1\.1 200/);
  const huge = await rawExchange(s.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(8000)}\r\n\r\n`);
  t.match(huge, /^HTTP\/1\.1 431/);
  t.equal((await fetch(`${s.http}/healthz`)).status, 200, 'the server carries on');
});

t.test('idle timeout: a socket that never answers pings is closed; a live client is kept', async (t) => {
  const s = await startTestServer({ idleTimeoutSeconds: 8 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const live = await TestClient.connect(s.ws, alice.token);
  t.teardown(() => live.close());
  // A raw socket completes the upgrade and then never reads or answers a ping.
  const silent: Socket = connect(s.port, '127.0.0.1');
  const closedAt = new Promise<number>((resolve) => {
    silent.on('close', () => resolve(Date.now()));
    silent.on('error', () => undefined);
  });
  // Reading (and dropping) what arrives lets 'close' fire; the socket still never answers a ping.
  silent.resume();
  const started = Date.now();
  silent.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${alice.token}\r\n\r\n`);
  let deadline: NodeJS.Timeout | undefined;
  const closed = await Promise.race([closedAt, new Promise<number>((r) => (deadline = setTimeout(() => r(-1), 25_000)))]);
  clearTimeout(deadline);
  t.not(closed, -1, 'closed within 25 s');
  // uWS's timer resolution is 4 s: an 8 s idle timeout closes after 4 to 12 s.
  t.ok(closed - started >= 3500, `not long before the idle timeout (${closed - started} ms)`);
  await sleep(Math.max(0, started + 13_000 - Date.now()));
  t.match(await live.request({ type: 'ping' }), { type: 'pong' }, 'the live client, silent but answering pings for 13 s, is still connected');
});
