import t from 'tap';
import { TestClient, type Frame } from '../helpers/client.js';
import { sleep, startTestServer } from '../helpers/server.js';

const isRefusal = (f: Frame): boolean => f.type === 'error' && f.code === 'rate_limited';


t.test('a frame refused for rate carries retryAfterMs: waiting that long, the next frame is served', async (t) => {
  const s = await startTestServer({ framesPerSecond: 4, frameBurst: 1, userFramesPerSecond: 0 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const c = await TestClient.connect(s.ws, alice.token);
  t.teardown(() => c.close());
  const first = c.request({ type: 'ping' });
  const refused = await c.request({ type: 'ping' });
  t.match(await first, { type: 'pong' });
  t.match(refused, { type: 'error', code: 'rate_limited' });
  const wait = refused.retryAfterMs as number;
  t.ok(Number.isInteger(wait) && wait >= 1 && wait <= 250, `retryAfterMs ${wait} is within one token's refill (1000 / 4 ms)`);
  // Plus libuv's millisecond timer tick: a timer may end up to a millisecond before the server's clock says.
  await sleep(wait + 2);
  t.match(await c.request({ type: 'ping' }), { type: 'pong' }, 'after the advised wait a token is there');
});

t.test('a frame refused by the per-user rate carries retryAfterMs from the user\'s bucket', async (t) => {
  const s = await startTestServer({ framesPerSecond: 0, userFramesPerSecond: 2, userFrameBurst: 1 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const [a, b] = [await TestClient.connect(s.ws, alice.token), await TestClient.connect(s.ws, alice.token)];
  t.teardown(() => { a.close(); b.close(); });
  // Both at once: with a burst of one, whichever socket comes second is refused.
  const answers = await Promise.all([a.request({ type: 'ping' }), b.request({ type: 'ping' })]);
  t.same(answers.map((f) => f.type).sort(), ['error', 'pong'], 'one served, the other refused: the sockets share the user\'s bucket');
  const refusedAt = answers.findIndex((f) => f.type === 'error');
  const refused = answers[refusedAt] as Frame;
  t.match(refused, { type: 'error', code: 'rate_limited' });
  const wait = refused.retryAfterMs as number;
  t.ok(Number.isInteger(wait) && wait >= 1 && wait <= 500, `retryAfterMs ${wait} is within one token's refill (1000 / 2 ms)`);
  await sleep(wait + 2);
  t.match(await [a, b][refusedAt]?.request({ type: 'ping' }), { type: 'pong' });
});

t.test('a client that waits retryAfterMs after each refusal is never closed, however many refusals', async (t) => {
  const s = await startTestServer({ framesPerSecond: 20, frameBurst: 1, userFramesPerSecond: 0 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const c = await TestClient.connect(s.ws, alice.token);
  t.teardown(() => c.close());
  // More refusals than the 20 strikes a socket holds: were each a strike, the socket would be closed.
  let refusals = 0;
  for (let round = 0; round < 300 && refusals < 30; round++) {
    // Two frames at once: the second usually finds the bucket empty.
    const replies = await Promise.all([c.request({ type: 'ping' }), c.request({ type: 'ping' })]);
    const waits = replies.filter(isRefusal).map((f) => f.retryAfterMs as number);
    refusals += waits.length;
    if (waits.length > 0) await sleep(Math.max(...waits));
  }
  t.ok(refusals >= 30, `refused ${refusals} times`);
  t.equal(await c.closedWithin(100), null, 'the socket is still open');
  t.match(await c.request({ type: 'ping' }), { type: 'pong' });
});

t.test('a client that keeps sending before the advised time is closed with 1008', async (t) => {
  const s = await startTestServer({ framesPerSecond: 20, frameBurst: 1, userFramesPerSecond: 0 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const c = await TestClient.connect(s.ws, alice.token);
  for (let i = 0; i < 500; i++) c.send({ type: 'ping', id: `p${i}` });
  const closed = await c.closedWithin(20_000);
  t.match(closed, { code: 1008 }, 'closed for ignoring the advice');
  t.ok(c.frames.filter(isRefusal).length > 20, 'after more refusals than its strikes');
});
