import t from 'tap';
import { startTestServer } from '../helpers/server.js';

const get = async (url: string, token?: string): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(url, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
};

t.test('a room\'s members, with names and read markers, are listed to its members only', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const carol = await s.user('carol');
  const room = await s.room('general', ['alice', 'bob']);

  const ok = await get(`${s.http}/api/v1/rooms/${room}/members`, alice.token);
  t.equal(ok.status, 200);
  t.same(ok.body, { members: [{ id: alice.id, name: 'alice', readSeq: 0 }, { id: bob.id, name: 'bob', readSeq: 0 }] });

  const outsider = await get(`${s.http}/api/v1/rooms/${room}/members`, carol.token);
  t.equal(outsider.status, 403, 'a non-member is refused');
  t.match(outsider.body, { error: { code: 'forbidden' } });
  t.notMatch(JSON.stringify(outsider.body), /alice|bob/, 'and learns no names');

  const nowhere = await get(`${s.http}/api/v1/rooms/99999/members`, alice.token);
  t.equal(nowhere.status, 403, 'a room that does not exist gets the same answer as one you are not in');
  const junk = await get(`${s.http}/api/v1/rooms/abc/members`, alice.token);
  t.equal(junk.status, 403);

  const anonymous = await get(`${s.http}/api/v1/rooms/${room}/members`);
  t.equal(anonymous.status, 401);
});

t.test('the admin routes list users, rooms with members and server stats to admins only', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const root = await s.user('root', 'admin');
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const room = await s.room('general', ['alice', 'bob']);

  for (const path of ['users', 'rooms', 'stats']) {
    const member = await get(`${s.http}/api/v1/admin/${path}`, alice.token);
    t.equal(member.status, 403, `a member gets 403 on /admin/${path}`);
    t.match(member.body, { error: { code: 'forbidden' } });
    const anonymous = await get(`${s.http}/api/v1/admin/${path}`);
    t.equal(anonymous.status, 401, `no token gets 401 on /admin/${path}`);
  }

  const users = await get(`${s.http}/api/v1/admin/users`, root.token);
  t.equal(users.status, 200);
  t.match(users.body, { users: [{ id: alice.id, name: 'alice', role: 'member', disabled: false }, { id: bob.id, name: 'bob' }, { id: root.id, name: 'root', role: 'admin' }] });
  t.notMatch(JSON.stringify(users.body), /password|hash/, 'no password hashes');

  const rooms = await get(`${s.http}/api/v1/admin/rooms`, root.token);
  t.equal(rooms.status, 200);
  t.match(rooms.body, { rooms: [{ id: room, name: 'general', kind: 'group', lastSeq: 0, members: [alice.id, bob.id] }] });

  const stats = await get(`${s.http}/api/v1/admin/stats`, root.token);
  t.equal(stats.status, 200);
  t.match(stats.body, { healthy: true, connections: Number, writerQueueDepth: Number, messagesCommitted: Number, uptimeSeconds: Number, rssBytes: Number });
});
