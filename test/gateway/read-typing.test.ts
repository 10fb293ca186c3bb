import t from 'tap';
import { ManualWindow } from '../helpers/manual-window.js';
import { sleep, startTestServer } from '../helpers/server.js';
import { TestClient, type Frame } from '../helpers/client.js';

const s = await startTestServer();
t.teardown(() => s.close());
const alice = await s.user('alice');
const bob = await s.user('bob');
const room = await s.room('general', ['alice', 'bob']);
const dm = await s.dm('alice', 'bob');

const connect = (token: string): Promise<TestClient> => s.connect(token);

type Summary = { room: string; name: string; kind: string; lastSeq: number; readSeq: number; unread: number };
async function summaries(c: TestClient): Promise<Map<string, Summary>> {
  const reply = await c.request({ type: 'rooms' });
  t.equal(reply.type, 'rooms');
  return new Map((reply.rooms as Summary[]).map((r) => [r.room, r]));
}

t.test('rooms lists the user\'s rooms with lastSeq, readSeq and unread; a direct room is named after the other person', async (t) => {
  const a = await connect(alice.token);
  for (let i = 1; i <= 5; i++) await a.request({ type: 'send', room, body: `n${i}`, clientMsgId: `rd-${i}` });
  const b = await connect(bob.token);
  const mine = await summaries(b);
  t.same(mine.get(room), {
    room, name: 'general', kind: 'group', lastSeq: 5, readSeq: 0, unread: 5,
    topic: '', joinRule: 'invite', history: 'shared', role: 'member', members: 2,
  });
  t.same(mine.get(dm), {
    room: dm, name: 'alice', kind: 'direct', lastSeq: 0, readSeq: 0, unread: 0,
    topic: '', joinRule: 'invite', history: 'shared', role: 'member', members: 2, peer: alice.id,
  });
  const theirs = await summaries(a);
  t.match(theirs.get(room), { lastSeq: 5, readSeq: 5, unread: 0 }, 'sending moves the sender\'s own marker');
  t.equal(theirs.get(dm)?.name, 'bob');
});

t.test('a read marker moves forward only, publishes a receipt to the room, and updates unread', async (t) => {
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  b.send({ type: 'read', room, seq: 3 });
  t.same(await a.next((f) => f.type === 'receipt'), { type: 'receipt', room, user: bob.id, seq: 3 });
  t.match(await b.next((f) => f.type === 'receipt'), { user: bob.id, seq: 3 }, 'the reader\'s own sockets see it too');
  t.match((await summaries(b)).get(room), { lastSeq: 5, readSeq: 3, unread: 2 });
  // Backwards: nothing moves and no receipt is published.
  b.send({ type: 'read', room, seq: 1 });
  t.match((await summaries(b)).get(room), { readSeq: 3, unread: 2 });
  // Past the end: clamped to the last seq.
  b.send({ type: 'read', room, seq: 1000 });
  t.same(await a.next((f) => f.type === 'receipt'), { type: 'receipt', room, user: bob.id, seq: 5 });
  t.match((await summaries(b)).get(room), { readSeq: 5, unread: 0 });
  const receipts = a.frames.filter((f: Frame) => f.type === 'receipt');
  t.same(receipts.map((f) => f.seq), [3, 5]);
});

t.test('several members reading within one window reach the room as one receipts frame; the markers are durable', async (t) => {
  // The window ends when the test says so, not on this box's clock.
  const window = new ManualWindow();
  const srv = await startTestServer({}, { receiptTimer: window });
  t.teardown(() => srv.close());
  const [ann, ben, cat] = [await srv.user('ann'), await srv.user('ben'), await srv.user('cat')];
  const team = await srv.room('team', ['ann', 'ben', 'cat']);
  const a = await srv.connect(ann.token);
  for (let i = 1; i <= 4; i++) await a.request({ type: 'send', room: team, body: `t${i}`, clientMsgId: `team-${i}` });
  const b = await srv.connect(ben.token);
  const c = await srv.connect(cat.token);
  b.send({ type: 'read', room: team, seq: 3 });
  c.send({ type: 'read', room: team, seq: 4 });
  c.send({ type: 'read', room: team, seq: 2 });
  // A ping answered on each reader's socket proves its reads were handled (frames of a socket are handled in order).
  await b.request({ type: 'ping' });
  await c.request({ type: 'ping' });
  t.equal(a.frames.filter((f: Frame) => f.type === 'receipt' || f.type === 'receipts').length, 0, 'nothing before the window ends');
  t.equal(window.pending, true, 'a window is open');
  window.end();
  const batch = await a.next((f) => f.type === 'receipts');
  t.same(batch, { type: 'receipts', room: team, reads: [{ user: ben.id, seq: 3 }, { user: cat.id, seq: 4 }] });
  t.same(await c.next((f) => f.type === 'receipts'), batch, 'the readers\' own sockets get it too');
  await a.request({ type: 'ping' });
  t.equal(a.frames.filter((f: Frame) => f.type === 'receipt' || f.type === 'receipts').length, 1, 'one frame for the window');
  // Announced only once durable: each reader's `rooms` shows its marker now.
  for (const [client, want] of [[b, 3], [c, 4]] as const) {
    const reply = await client.request({ type: 'rooms' });
    t.equal((reply.rooms as Summary[]).find((r) => r.room === team)?.readSeq, want, 'the marker was written');
  }
  await a.request({ type: 'send', room: team, body: 't5', clientMsgId: 'team-5' });
  const after = new Map(((await (await srv.connect(ben.token)).request({ type: 'rooms' })).rooms as Summary[]).map((r) => [r.room, r]));
  t.match(after.get(team), { lastSeq: 5, readSeq: 3, unread: 2 });
});

t.test('typing is relayed to the room\'s other members and not echoed to the sending socket', async (t) => {
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  const bOther = await connect(bob.token);
  a.send({ type: 'typing', room });
  t.same(await b.next((f) => f.type === 'typing'), { type: 'typing', room, user: alice.id });
  t.same(await bOther.next((f) => f.type === 'typing'), { type: 'typing', room, user: alice.id });
  // A ping round trip after the typing frame proves the server is done with it.
  await a.request({ type: 'ping' });
  await sleep(50);
  t.equal(a.frames.filter((f) => f.type === 'typing').length, 0);
  t.equal(((await a.request({ type: 'history', room, limit: 200 })).messages as unknown[]).length, 5, 'typing is never stored');
});

t.test('typing reaches the sender\'s other devices, as another socket in the room', async (t) => {
  const phone = await connect(alice.token);
  const laptop = await connect(alice.token);
  phone.send({ type: 'typing', room });
  t.same(await laptop.next((f) => f.type === 'typing'), { type: 'typing', room, user: alice.id });
});

t.test('ping gets pong with the same id', async (t) => {
  const a = await connect(alice.token);
  t.same(await a.request({ type: 'ping' }), { type: 'pong', id: `r1` });
  a.send({ type: 'ping' });
  t.same(await a.next((f) => f.type === 'pong'), { type: 'pong' });
});
