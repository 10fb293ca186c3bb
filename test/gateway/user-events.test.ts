import t from 'tap';
import { createRoom, setDisplayName } from '../../src/store/admin/admin.js';
import { startTestServer } from '../helpers/server.js';

t.test('a room created while its members are connected is announced once on each of their sockets, and to nobody else', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const carol = await s.user('carol');
  const phone = await s.connect(alice.token);
  const laptop = await s.connect(alice.token);
  const b = await s.connect(bob.token);
  const c = await s.connect(carol.token);
  const room = String(s.admin((db) => createRoom(db, 'plans', ['alice', 'bob'], undefined, { entries: false })).id);
  const created = (user: string) => (f: { type?: unknown; event?: unknown; user?: unknown }): boolean => f.type === 'room' && f.event === 'created' && f.user === user;
  t.match(await phone.next(created(alice.id), 20_000), { room });
  t.match(await laptop.next(created(alice.id), 20_000), { room });
  t.match(await b.next(created(bob.id), 20_000), { room });
  // Every frame the announcement causes is sent once the follower applied it; a ping answered
  // on each socket after that means those frames, sent before the pong, have arrived.
  await s.followed();
  await Promise.all([phone, laptop, b].map((client) => client.request({ type: 'ping' })));
  for (const [name, client] of [['phone', phone], ['laptop', laptop], ['bob', b]] as const) {
    t.equal(client.frames.filter((f) => f.type === 'room' && f.event === 'created').length, 1, `${name}: told once, about itself only`);
  }
  await c.request({ type: 'ping' });
  t.equal(c.frames.filter((f) => f.type === 'room').length, 0, 'a non-member hears nothing');
});

t.test('a display name changed from the CLI while the server runs reaches the sockets of everyone in a room with the user, and nobody else', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const carol = await s.user('carol');
  await s.room('plans', ['alice', 'bob']);
  const a = await s.connect(alice.token);
  const c = await s.connect(carol.token);
  // What `roost user profile bob --display-name …` runs, on its own connection.
  s.admin((db) => setDisplayName(db, 'bob', '  Bob   Builder '));
  const profile = (f: { type?: unknown; user?: unknown }): boolean => f.type === 'profile' && f.user === bob.id;
  t.match(await a.next(profile, 20_000), { type: 'profile', user: bob.id, name: 'bob', displayName: 'Bob Builder' }, 'the other member is sent the new profile');
  await s.followed();
  await c.request({ type: 'ping' });
  t.equal(c.frames.filter((f) => f.type === 'profile').length, 0, 'a user in no room with them hears nothing');
});
