/**
 * One write budget per account, whichever door its writes come through: the
 * socket, the native HTTP send and the Matrix door draw on the same bucket.
 */
import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx } from '../matrix/helpers.js';

const NAME = 'roost.test';
const RATE = 1;
const BURST = 3;

t.test('sends over Matrix, the socket and HTTP together get one burst, not one per door', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, framesPerSecond: 0, userFramesPerSecond: RATE, userFrameBurst: BURST });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const room = await s.room('den', ['alice']);
  const a = await matrixLogin(s, 'alice', alice.password);
  const ws = await s.connect(alice.token);
  const started = Date.now();
  let accepted = 0;
  for (let i = 0; i < BURST; i++) {
    const r = await mx(s, 'PUT', `/_matrix/client/v3/rooms/!r${room}:${NAME}/send/m.room.message/t${i}`, { token: a.token, body: { msgtype: 'm.text', body: `mx ${i}` } });
    if (r.status === 200) accepted++;
  }
  for (let i = 0; i < BURST; i++) {
    const f = await ws.request({ type: 'send', room, body: `ws ${i}`, clientMsgId: `w${i}` });
    if (f.type === 'ack') accepted++;
  }
  for (let i = 0; i < BURST; i++) {
    const res = await fetch(`${s.http}/api/v1/rooms/${room}/messages`, {
      method: 'POST', headers: { Authorization: `Bearer ${alice.token}` }, body: JSON.stringify({ body: `http ${i}`, clientMsgId: `h${i}` }),
    });
    await res.text();
    if (res.status === 201) accepted++;
  }
  // The bucket refills RATE per second: whatever this box's speed, no more than that was earned.
  const earned = BURST + Math.ceil(((Date.now() - started) / 1000) * RATE);
  t.ok(accepted <= earned, `${accepted} of ${3 * BURST} sends accepted; the account earned ${earned}`);
  t.ok(accepted >= BURST, 'the burst itself is served');
});

t.test('a native HTTP send over the rate is 429 rate_limited with when to retry, and stores nothing', async (t) => {
  const s = await startTestServer({ framesPerSecond: 0, userFramesPerSecond: RATE, userFrameBurst: BURST });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const room = await s.room('den', ['alice']);
  const statuses: number[] = [];
  let refusal: { status: number; retryAfter: string | null; body: { error?: { code?: string; retryAfterMs?: number } } } | undefined;
  // Each send takes at least its share of the burst; a refusal comes within BURST + 1 sends unless each took a second.
  for (let i = 0; i < 20 && refusal === undefined; i++) {
    const res = await fetch(`${s.http}/api/v1/rooms/${room}/messages`, {
      method: 'POST', headers: { Authorization: `Bearer ${alice.token}` }, body: JSON.stringify({ body: `http ${i}`, clientMsgId: `h${i}` }),
    });
    const body = (await res.json()) as { error?: { code?: string; retryAfterMs?: number } };
    statuses.push(res.status);
    if (res.status === 429) refusal = { status: res.status, retryAfter: res.headers.get('retry-after'), body };
  }
  t.ok(refusal !== undefined, `a send is refused (${statuses.join(', ')})`);
  t.equal(refusal?.body.error?.code, 'rate_limited');
  t.ok((refusal?.body.error?.retryAfterMs ?? 0) > 0, 'it says how long to wait');
  t.ok(Number(refusal?.retryAfter) >= 1, 'and so does Retry-After');
  const page = await fetch(`${s.http}/api/v1/rooms/${room}/messages?limit=50`, { headers: { Authorization: `Bearer ${alice.token}` } });
  const stored = ((await page.json()) as { messages: Array<{ body: string }> }).messages.filter((m) => m.body.startsWith('http '));
  t.equal(stored.length, statuses.filter((x) => x === 201).length, 'only the accepted sends are stored');
});
