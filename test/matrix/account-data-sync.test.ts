import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx } from './helpers.js';

const NAME = 'roost.test';

t.test('room account data set on another device does not reset the room\'s unread counts to 0', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('porch', ['alice', 'bob']);
  const key = `!r${room}:${NAME}`;
  const c = await s.connect(alice.token);
  for (const [i, body] of ['one', 'two', 'three'].entries()) await c.request({ type: 'send', room, body, clientMsgId: `m${i}` });
  const laptop = await matrixLogin(s, 'bob', bob.password, 'LAPTOP');
  const phone = await matrixLogin(s, 'bob', bob.password, 'PHONE');
  const init = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: laptop.token });
  t.equal(init.body.rooms.join[key].unread_notifications.notification_count, 3, 'three unread at first');
  // The phone tags the room (room account data), nothing is read.
  const put = await mx(s, 'PUT', `/_matrix/client/v3/user/@bob:${NAME}/rooms/${encodeURIComponent(key)}/account_data/m.tag`, { token: phone.token, body: { tags: { 'm.favourite': {} } } });
  t.equal(put.status, 200);
  const next = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${init.body.next_batch as string}&timeout=0`, { token: laptop.token });
  const r = next.body.rooms.join[key];
  t.ok(r, 'the room is in the answer (its account data)');
  t.equal(r.account_data.events[0]?.type, 'm.tag');
  t.equal(r.unread_notifications.notification_count, 3, 'still three unread, not reset to 0');
  const back = await mx(s, 'GET', `/_matrix/client/v3/rooms/${encodeURIComponent(key)}/messages?dir=b&limit=1&from=${r.timeline.prev_batch as string}`, { token: laptop.token });
  t.equal(back.body.chunk[0]?.content?.body, 'three', 'paging back from its empty timeline starts at the room\'s newest message');
});
