import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';
import { addMember, disableUser, removeMember } from '../../src/store/admin/admin.js';

const s = await startTestServer();
t.teardown(() => s.close());
const alice = await s.user('alice');
const bob = await s.user('bob');
const mallory = await s.user('mallory');
const room = await s.room('secret', ['alice', 'bob']);

const connect = (token: string): Promise<TestClient> => s.connect(token);


/** Every frame type that names a room, aimed at `target`. */
const framesNaming = (target: string): Array<Record<string, unknown>> => [
  { type: 'send', room: target, body: 'let me in', clientMsgId: `probe-${target}` },
  { type: 'history', room: target },
  { type: 'sync', since: { [target]: 0 } },
  { type: 'read', room: target, seq: 1 },
  { type: 'typing', room: target },
  { type: 'search', query: 'secret', room: target },
];

t.test('a non-member gets forbidden for every frame naming the room, and a nonexistent room reads the same', async (t) => {
  const m = await connect(mallory.token);
  for (const target of [room, '999999', 'no-such-room']) {
    for (const frame of framesNaming(target)) {
      const reply = await m.request(frame);
      t.match(reply, { type: 'error', code: 'forbidden', message: `not a member of room ${JSON.stringify(target)}` }, `${frame.type} ${target}`);
    }
  }
  t.equal(m.frames.filter((f) => f.type !== 'error').length, 0, 'nothing but errors');
});

t.test('a non-member never receives the room\'s messages, typing or receipts, and its probes stored nothing', async (t) => {
  const m = await connect(mallory.token);
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  a.send({ type: 'typing', room });
  await b.next((f) => f.type === 'typing');
  const ack = await a.request({ type: 'send', room, body: 'for members only', clientMsgId: 'secret-1' });
  b.send({ type: 'read', room, seq: ack.seq });
  await a.next((f) => f.type === 'receipt');
  await b.next((f) => f.type === 'message' && f.msgId === ack.msgId);
  await m.request({ type: 'ping' });
  t.same(m.frames.map((f) => f.type), ['pong']);
  const search = await m.request({ type: 'search', query: 'members' });
  t.same(search.hits, [], 'search without a room filter only looks in the user\'s rooms');
  const page = await a.request({ type: 'history', room });
  t.same((page.messages as Array<{ body: string }>).map((x) => x.body), ['for members only']);
});

t.test('a revoked or unknown token cannot connect: 401 at the upgrade', async (t) => {
  await t.rejects(TestClient.connect(s.ws, 'A'.repeat(43)), /upgrade refused: 401/);
  await t.rejects(TestClient.connect(s.ws, 'short'), /upgrade refused: 401/);
  await t.rejects(TestClient.connect(`${s.ws}?token=nope`, '', { Authorization: '' }), /upgrade refused: 401/);
  const r = await fetch(`${s.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'bob', password: bob.password }) });
  const { token } = (await r.json()) as { token: string };
  await fetch(`${s.http}/api/v1/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  await t.rejects(TestClient.connect(s.ws, token), /upgrade refused: 401/);
});

t.test('the token may also be given as ?token= (browsers cannot set headers)', async (t) => {
  const c = await TestClient.connect(`${s.ws}?token=${bob.token}`, '', { Authorization: '' });
  t.teardown(() => c.close());
  t.match(await c.request({ type: 'ping' }), { type: 'pong' });
});

t.test('adding and removing a member through the admin functions (un)subscribes live sockets (through the events follower)', async (t) => {
  const m = await connect(mallory.token);
  const a = await connect(alice.token);
  s.admin((db) => addMember(db, room, 'mallory'));
  t.match(await m.next((f) => f.type === 'room', 20_000), { type: 'room', room, event: 'joined', user: mallory.id });
  const ack = await a.request({ type: 'send', room, body: 'welcome mallory', clientMsgId: 'welcome' });
  // The first message frame may be the `joined` entry of the timeline; the welcome follows it.
  t.match(await m.next((f) => f.type === 'message' && f.msgId === ack.msgId, 20_000), { body: 'welcome mallory' });
  t.match(await m.request({ type: 'history', room, limit: 1 }), { type: 'history', messages: [{ body: 'welcome mallory' }] });

  s.admin((db) => removeMember(db, room, 'mallory'));
  t.match(await m.next((f) => f.type === 'room' && f.event === 'left', 20_000), { room, user: mallory.id });
  const after = await a.request({ type: 'send', room, body: 'mallory is gone', clientMsgId: 'gone' });
  await a.next((f) => f.type === 'message' && f.msgId === after.msgId);
  await m.request({ type: 'ping' });
  t.equal(m.frames.filter((f) => f.type === 'message' && f.msgId === after.msgId).length, 0);
  t.equal(m.frames.filter((f) => f.type === 'room' && f.event === 'left').length, 1, 'the removed user is told once');
  t.equal(a.frames.filter((f) => f.type === 'room' && f.event === 'left').length, 1, 'the remaining members are told once');
  t.match(await m.request({ type: 'history', room }), { type: 'error', code: 'forbidden' });
});

t.test('disabling a user closes every socket of theirs with 4001 token_revoked (at the follower\'s next tick), and the token gets 401', async (t) => {
  const one = await connect(mallory.token);
  const two = await connect(mallory.token);
  const started = Date.now();
  s.admin((db) => disableUser(db, 'mallory'));
  // Deadlines that only catch a hang: the follower's tick comes later on a loaded box.
  const [c1, c2] = await Promise.all([one.closedWithin(20_000), two.closedWithin(20_000)]);
  t.match(c1, { code: 4001, reason: 'token revoked' });
  t.match(c2, { code: 4001, reason: 'token revoked' });
  t.comment(`closed after ${Date.now() - started} ms`);
  await t.rejects(TestClient.connect(s.ws, mallory.token), /upgrade refused: 401/);
  const login = await fetch(`${s.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'mallory', password: mallory.password }) });
  t.equal(login.status, 401);
});
