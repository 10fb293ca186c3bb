import t from 'tap';
import { createRoom, removeMember } from '../../src/store/admin/admin.js';
import type { Frame } from '../helpers/client.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

let s: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

t.before(async () => {
  s = await startTestServer({ framesPerSecond: 0, userFramesPerSecond: 0 });
  alice = await s.user('alice');
  bob = await s.user('bob');
  carol = await s.user('carol');
});
t.teardown(() => s.close());

let n = 0;
const send = (c: { request(f: Record<string, unknown>): Promise<Frame> }, room: string, body: string): Promise<Frame> =>
  c.request({ type: 'send', room, body, clientMsgId: `r${++n}` });

t.test('create, invite, join and send at once; leave; role change; remove', async (t) => {
  const a = await s.connect(alice.token);
  const b = await s.connect(bob.token);
  const c = await s.connect(carol.token);

  const created = await a.request({ type: 'create_room', name: '  Garden\u202e ', topic: 'plants', invite: [bob.id] });
  t.match(created, { type: 'ok', room: /^\d+$/ });
  const room = created.room as string;
  t.match(await a.next((f) => f.type === 'room' && f.room === room), { event: 'created', user: alice.id });
  t.match(await send(a, room, 'first!'), { type: 'ack', seq: 3 }, 'the creator sends at once, after the created and invited entries');

  t.match(await b.next((f) => f.type === 'room' && f.room === room), { event: 'invited', user: bob.id }, 'the invitee is told');
  t.match(await b.request({ type: 'invites' }), { invites: [{ room, name: 'Garden', topic: 'plants', by: alice.id }] });
  t.match(await b.request({ type: 'send', room, body: 'early', clientMsgId: 'early' }), { type: 'error', code: 'forbidden' }, 'invited is not joined');

  t.match(await b.request({ type: 'join', room }), { type: 'ok', room });
  t.match(await send(b, room, 'hello garden'), { type: 'ack', seq: 5 }, 'the joiner sends at once, no follower tick needed');
  const joined = await a.next((f) => f.type === 'message' && f.room === room && (f.event as Frame | undefined)?.kind === 'joined');
  t.match(joined, { from: bob.id, body: '', seq: 4 });

  const rooms = (await b.request({ type: 'rooms' })).rooms as Frame[];
  t.match(rooms.find((r) => r.room === room), { name: 'Garden', topic: 'plants', role: 'member', members: 2, joinRule: 'invite', history: 'shared', unread: 0 });
  const members = await a.request({ type: 'members', room });
  t.same(members.members, [{ user: alice.id, role: 'owner' }, { user: bob.id, role: 'member' }]);

  t.match(await c.request({ type: 'join', room }), { type: 'error', code: 'forbidden', reason: 'not_invited' });
  t.match(await b.request({ type: 'update_room', room, name: 'Weeds' }), { type: 'error', code: 'forbidden', reason: 'not_allowed_for_role' });

  t.match(await a.request({ type: 'set_role', room, user: bob.id, role: 'moderator' }), { type: 'ok' });
  t.match(await b.next((f) => f.type === 'message' && (f.event as Frame | undefined)?.kind === 'role'), { event: { user: bob.id, role: 'moderator' } });
  t.match(await b.request({ type: 'update_room', room, topic: 'weeds too' }), { type: 'ok' });
  t.match(await a.next((f) => f.type === 'room' && f.event === 'updated'), { room });

  const history = await a.request({ type: 'history', room });
  t.match((history.messages as Frame[]).map((m) => (m.event as Frame | undefined)?.kind ?? m.body),
    ['created', 'invited', 'first!', 'joined', 'hello garden', 'role', 'topic']);
  t.match(await a.request({ type: 'delete', room, seq: 1 }), { type: 'error', code: 'forbidden', reason: 'room_event' });

  t.match(await a.request({ type: 'remove_member', room, user: bob.id }), { type: 'ok' });
  t.match(await b.next((f) => f.type === 'room' && f.event === 'left' && f.room === room), { user: bob.id });
  const after = await send(a, room, 'bob is gone');
  await a.next((f) => f.type === 'message' && f.msgId === after.msgId);
  await b.request({ type: 'ping' });
  t.equal(b.frames.filter((f) => f.type === 'message' && f.msgId === after.msgId).length, 0, 'the removed socket stops getting the room');
  t.match(await b.request({ type: 'send', room, body: 'let me back', clientMsgId: 'back' }), { type: 'error', code: 'forbidden' });
  t.notOk(((await b.request({ type: 'rooms' })).rooms as Frame[]).some((r) => r.room === room));

  t.match(await a.request({ type: 'invite', room, user: carol.id }), { type: 'ok' });
  t.match(await c.request({ type: 'leave', room }), { type: 'ok' }, 'declining');
  t.match(await a.request({ type: 'leave', room }), { type: 'ok' }, 'the only member may leave');
});

t.test('public rooms are in the directory; history: joined hides what came before the join', async (t) => {
  const a = await s.connect(alice.token);
  const c = await s.connect(carol.token);
  const created = await a.request({ type: 'create_room', name: 'Lobby', joinRule: 'public', history: 'joined' });
  const room = created.room as string;
  await send(a, room, 'before carol');
  t.match(((await c.request({ type: 'directory' })).rooms as Frame[]).find((r) => r.room === room), { name: 'Lobby', members: 1 });
  t.match(await c.request({ type: 'join', room }), { type: 'ok' });
  await send(a, room, 'after carol');
  const page = await c.request({ type: 'history', room });
  t.same((page.messages as Frame[]).map((m) => m.body === '' ? (m.event as Frame).kind : m.body), ['joined', 'after carol']);
  t.equal(page.more, false);
  const synced = await c.request({ type: 'sync', since: { [room]: 0 } });
  t.same(((synced.rooms as Frame[])[0]?.messages as Frame[]).map((m) => m.seq), [3, 4]);
  t.match(await c.request({ type: 'users', query: 'ALI' }), { users: [{ user: alice.id, name: 'alice' }] });
});

t.test('history: joined: what came before the join cannot be reacted to, replied to, edited or deleted; it answers as a missing message', async (t) => {
  const a = await s.connect(alice.token);
  const c = await s.connect(carol.token);
  const room = (await a.request({ type: 'create_room', name: 'Board', joinRule: 'public', history: 'joined' })).room as string;
  const old = (await send(a, room, 'before carol')).seq as number;
  t.match(await c.request({ type: 'join', room }), { type: 'ok' });
  const missing = { type: 'error', code: 'not_found', message: `no message ${old} in this room` };
  t.match(await c.request({ type: 'react', room, seq: old, emoji: '👍', on: true }), missing);
  t.match(await c.request({ type: 'edit', room, seq: old, body: 'x' }), missing);
  t.match(await c.request({ type: 'delete', room, seq: old }), missing);
  t.match(await c.request({ type: 'send', room, body: 'about that', clientMsgId: 'reply-old', replyTo: old }), { type: 'error', code: 'not_found', message: `replyTo: no message ${old} in this room` });
  const after = (await send(a, room, 'after carol')).seq as number;
  t.match(await c.request({ type: 'react', room, seq: after, emoji: '👍', on: true }), { type: 'ok' }, 'what came after is hers to react to');
  const page = await a.request({ type: 'history', room });
  t.notOk(JSON.stringify((page.messages as Frame[]).find((m) => m.seq === old)).includes('👍'), 'nothing reached the older message');
});

t.test('open_direct makes the pair one room, whoever asks', async (t) => {
  const a = await s.connect(alice.token);
  const b = await s.connect(bob.token);
  const first = await a.request({ type: 'open_direct', user: bob.id });
  t.match(first, { type: 'ok', created: true });
  t.match(await b.next((f) => f.type === 'room' && f.room === first.room), { event: 'created' });
  t.match(await b.request({ type: 'open_direct', user: alice.id }), { type: 'ok', room: first.room, created: false });
  t.match(await send(b, first.room as string, 'hi alice'), { type: 'ack' });
  const rooms = (await a.request({ type: 'rooms' })).rooms as Frame[];
  t.match(rooms.find((r) => r.room === first.room), { kind: 'direct', peer: bob.id });
});

t.test('a room the CLI makes while the server runs: the member can send within a second, and rooms never lists it earlier', async (t) => {
  const c = await s.connect(carol.token);
  const id = String(s.admin((db) => createRoom(db, 'cli-made', ['carol'])).id);
  // Poll the rooms list; from the first reply that lists the room, a send must be accepted at once.
  const deadline = Date.now() + 15_000;
  let listed = false;
  for (let i = 0; i < 300 && Date.now() < deadline && !listed; i++) {
    const rooms = (await c.request({ type: 'rooms' })).rooms as Frame[];
    listed = rooms.some((r) => r.room === id);
    if (!listed) await new Promise((r) => setTimeout(r, 20));
  }
  t.ok(listed, 'the room was listed within the wait');
  t.match(await send(c, id, 'made by the operator'), { type: 'ack' }, 'a listed room accepts the send at once');
  s.admin((db) => removeMember(db, id, 'carol'));
  t.match(await c.next((f) => f.type === 'room' && f.event === 'left' && f.room === id, 15_000), { user: carol.id });
  const history = await s.connect(alice.token);
  t.match(await history.request({ type: 'history', room: id }), { type: 'error', code: 'forbidden' });
});
