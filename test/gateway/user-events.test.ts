import t from 'tap';
import { createRoom } from '../../src/store/admin/admin.js';
import { sleep, startTestServer } from '../helpers/server.js';

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
  await sleep(300);
  for (const [name, client] of [['phone', phone], ['laptop', laptop], ['bob', b]] as const) {
    t.equal(client.frames.filter((f) => f.type === 'room' && f.event === 'created').length, 1, `${name}: told once, about itself only`);
  }
  await c.request({ type: 'ping' });
  t.equal(c.frames.filter((f) => f.type === 'room').length, 0, 'a non-member hears nothing');
});
