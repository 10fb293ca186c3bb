/**
 * One rule, both doors: what the native protocol refuses or answers, the
 * Matrix door refuses or answers the same way for the same user and room.
 */
import t from 'tap';
import { addUser, disableUser } from '../../src/store/admin/admin.js';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx } from './helpers.js';

const NAME = 'roost.test';

t.test('a disabled account has no profile at either door', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const b = await matrixLogin(s, 'bob', bob.password);
  t.equal((await mx(s, 'PUT', `/_matrix/client/v3/profile/@bob:${NAME}/displayname`, { token: b.token, body: { displayname: 'Bobby Tables' } })).status, 200);
  s.admin((db) => disableUser(db, 'bob'));
  await s.followed();
  const ws = await s.connect(alice.token);
  const native = await ws.request({ type: 'profile', user: bob.id });
  t.same([native.type, native.code], ['error', 'not_found'], `native: ${JSON.stringify(native)}`);
  const a = await matrixLogin(s, 'alice', alice.password);
  const whole = await mx(s, 'GET', `/_matrix/client/v3/profile/@bob:${NAME}`, { token: a.token });
  t.equal(whole.status, 404, 'Matrix: 404, as natively');
  const dn = await mx(s, 'GET', `/_matrix/client/v3/profile/@bob:${NAME}/displayname`, { token: a.token });
  t.equal(dn.status, 404, 'the display name alone too');
  t.equal(whole.body.errcode, 'M_NOT_FOUND');
  const own = await mx(s, 'GET', `/_matrix/client/v3/profile/@alice:${NAME}`, { token: a.token });
  t.equal(own.status, 200, 'an enabled user\'s profile is served');
});

t.test('creating a room that invites the same person twice is refused at both doors, and makes no room', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const ws = await s.connect(alice.token);
  const native = await ws.request({ type: 'create_room', name: 'native-room', invite: [bob.id, bob.id] });
  t.equal(native.type, 'error', 'the native door refuses');

  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'matrix-room', invite: [`@bob:${NAME}`, `@bob:${NAME}`] } });
  t.match(made, { status: 400, body: { errcode: 'M_BAD_JSON' } }, 'the Matrix door refuses the same list');
  const rooms = await mx(s, 'GET', '/_matrix/client/v3/joined_rooms', { token: a.token });
  t.same(rooms.body.joined_rooms, [], 'no room was made');
});

t.test('creating a room with 101 invitees is refused at both doors', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const ids = s.admin((db) => Array.from({ length: 101 }, (_, i) => String(addUser(db, `u${i}`, 'member', 'x').id)));
  await s.followed();
  const ws = await s.connect(alice.token);
  const native = await ws.request({ type: 'create_room', name: 'native-room', invite: ids });
  t.equal(native.type, 'error', 'the native door refuses');
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'matrix-room', invite: ids.map((_, i) => `@u${i}:${NAME}`) } });
  t.match(made, { status: 413, body: { errcode: 'M_TOO_LARGE' } }, 'the Matrix door refuses the same request, as too large');
});

t.test('a room topic over the native limit is refused at the Matrix door too, and the topic is unchanged', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', topic: 'plans' } });
  const base = `/_matrix/client/v3/rooms/${made.body.room_id as string}`;
  const long = `a${' '.repeat(3000)}b`;
  const ws = await s.connect(alice.token);
  const native = await ws.request({ type: 'update_room', room: /^!r(\d+):/.exec(made.body.room_id as string)?.[1], topic: long });
  t.equal(native.type, 'error', 'the native door refuses a 3,002-character topic (it would clean to "a b")');
  const put = await mx(s, 'PUT', `${base}/state/m.room.topic/`, { token: a.token, body: { topic: long } });
  t.match(put, { status: 413, body: { errcode: 'M_TOO_LARGE' } });
  const now = await mx(s, 'GET', `${base}/state/m.room.topic/`, { token: a.token });
  t.equal(now.body.topic, 'plans');
});

t.test('the power levels a client reads are the rules\' role table: a moderator is offered what the rules let them do', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob, carol] = [await s.user('alice'), await s.user('bob'), await s.user('carol')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', invite: [`@bob:${NAME}`, `@carol:${NAME}`] } });
  const roomId = made.body.room_id as string;
  const room = roomId.slice(2).split(':')[0] as string;
  const bw = await s.connect(bob.token);
  const cw = await s.connect(carol.token);
  t.equal((await bw.request({ type: 'join', room })).type, 'ok');
  t.equal((await cw.request({ type: 'join', room })).type, 'ok');
  const aw = await s.connect(alice.token);
  t.equal((await aw.request({ type: 'set_role', room, user: bob.id, role: 'moderator' })).type, 'ok', 'bob is a moderator');

  const b = await matrixLogin(s, 'bob', bob.password);
  const pl = (await mx(s, 'GET', `/_matrix/client/v3/rooms/${roomId}/state/m.room.power_levels/`, { token: b.token })).body;
  t.equal(pl.users[`@bob:${NAME}`], 50, 'bob shows at 50');
  t.equal(pl.events['m.room.join_rules'], 100, 'join rules need an owner');
  t.equal(pl.events['m.room.history_visibility'], 100, 'so does history visibility');
  t.equal(pl.events['m.room.power_levels'], 50, 'a moderator may change roles');
  t.same([pl.kick, pl.ban, pl.redact, pl.invite], [50, 50, 50, 0]);
  // And what the server does for the moderator matches what the client was told:
  const jr = await mx(s, 'PUT', `/_matrix/client/v3/rooms/${roomId}/state/m.room.join_rules/`, { token: b.token, body: { join_rule: 'public' } });
  t.equal(jr.status, 403, 'a moderator may not make the room public (needs 100)');
  const up = { ...pl.users, [`@carol:${NAME}`]: 50 };
  const role = await mx(s, 'PUT', `/_matrix/client/v3/rooms/${roomId}/state/m.room.power_levels/`, { token: b.token, body: { ...pl, users: up } });
  t.equal(role.status, 200, 'a moderator may make carol a moderator (needs 50)');
});

t.test('a plain member\'s power levels event is refused even when it changes nothing, as natively', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', invite: [`@bob:${NAME}`] } });
  const roomId = made.body.room_id as string;
  const room = roomId.slice(2).split(':')[0] as string;
  const bw = await s.connect(bob.token);
  t.equal((await bw.request({ type: 'join', room })).type, 'ok');
  const native = await bw.request({ type: 'set_role', room, user: alice.id, role: 'owner' });
  t.same([native.type, native.reason], ['error', 'not_allowed_for_role'], 'native: a member may not set roles, even to what they are');
  const b = await matrixLogin(s, 'bob', bob.password);
  const pl = (await mx(s, 'GET', `/_matrix/client/v3/rooms/${roomId}/state/m.room.power_levels/`, { token: b.token })).body;
  const put = await mx(s, 'PUT', `/_matrix/client/v3/rooms/${roomId}/state/m.room.power_levels/`, { token: b.token, body: pl });
  t.match(put, { status: 403, body: { errcode: 'M_FORBIDDEN' } }, 'Matrix: refused too');
});
