import t from 'tap';
import { MatrixReader } from '../../src/store/read/matrix-reader.js';
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

t.test('each account data entry is told once per sync, and read about once: not once per room or per later entry', async (t) => {
  let rowsRead = 0;
  const original = MatrixReader.prototype.accountData;
  MatrixReader.prototype.accountData = function (this: MatrixReader, user: number, afterPos: number) {
    const rows = original.call(this, user, afterPos);
    rowsRead += rows.length;
    return rows;
  };
  t.teardown(() => {
    MatrixReader.prototype.accountData = original;
  });
  const ROOMS = 20;
  const TYPES = 150;
  const s = await startTestServer({ matrixServerName: NAME, userFramesPerSecond: 0 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const rooms: string[] = [];
  for (let i = 0; i < ROOMS; i++) rooms.push(await s.room(`r${i}`, ['alice']));
  const me = await matrixLogin(s, 'alice', alice.password);
  const first = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: me.token });
  for (let i = 0; i < TYPES; i++) {
    const put = await mx(s, 'PUT', `/_matrix/client/v3/user/@alice:${NAME}/account_data/x.test.${i}`, { token: me.token, body: { n: i } });
    t.equal(put.status, 200);
  }
  const tagged = `!r${rooms[0]}:${NAME}`;
  await mx(s, 'PUT', `/_matrix/client/v3/user/@alice:${NAME}/rooms/${encodeURIComponent(tagged)}/account_data/m.tag`, { token: me.token, body: { tags: { 'm.favourite': {} } } });

  rowsRead = 0;
  const inc = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${first.body.next_batch as string}&timeout=0`, { token: me.token });
  t.equal(inc.body.account_data.events.length, TYPES, 'every global entry written since, once');
  t.same(inc.body.rooms.join[tagged].account_data.events.map((e: { type: string }) => e.type), ['m.tag']);
  t.ok(rowsRead <= 2 * (TYPES + 1), `the incremental sync read ${rowsRead} rows for ${TYPES + 1} entries (one per later entry would be ~${(TYPES * TYPES) / 2})`);

  rowsRead = 0;
  const init = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: me.token });
  t.equal(init.body.account_data.events.length, TYPES);
  t.same(init.body.rooms.join[tagged].account_data.events.map((e: { type: string }) => e.type), ['m.tag'], 'the room\'s tag once, not once more from the global pass');
  t.ok(rowsRead <= 2 * (TYPES + 1), `the initial sync in ${ROOMS} rooms read ${rowsRead} rows (once per room would be ${ROOMS * (TYPES + 1)})`);

  const full = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${inc.body.next_batch as string}&timeout=0&full_state=true`, { token: me.token });
  t.same(full.body.rooms.join[tagged].account_data.events.map((e: { type: string }) => e.type), ['m.tag'], 'full_state: the room\'s account data whole, once');
});

t.test('a user\'s filters and account data are bounded; posting the same filter again keeps its id', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, userFramesPerSecond: 0 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const me = await matrixLogin(s, 'alice', alice.password);
  const filter = { room: { timeline: { limit: 7 } } };
  const a = await mx(s, 'POST', `/_matrix/client/v3/user/@alice:${NAME}/filter`, { token: me.token, body: filter });
  const b = await mx(s, 'POST', `/_matrix/client/v3/user/@alice:${NAME}/filter`, { token: me.token, body: filter });
  t.equal(b.body.filter_id, a.body.filter_id, 'a client posting its filter at every start gets the same id');
  let refused: { status: number; body: { errcode?: string } } | undefined;
  for (let i = 0; i < 101 && refused === undefined; i++) {
    const r = await mx(s, 'POST', `/_matrix/client/v3/user/@alice:${NAME}/filter`, { token: me.token, body: { room: { timeline: { limit: i + 10 } } } });
    if (r.status !== 200) refused = r;
  }
  t.match(refused, { status: 413, body: { errcode: 'M_TOO_LARGE' } }, 'the 101st different filter is refused');
  const again = await mx(s, 'POST', `/_matrix/client/v3/user/@alice:${NAME}/filter`, { token: me.token, body: filter });
  t.equal(again.body.filter_id, a.body.filter_id, 'a known one still answers');

  const big = { blob: 'x'.repeat(60_000) };
  let stored = 0;
  let last = 0;
  for (let i = 0; i < 80 && last !== 413; i++) {
    last = (await mx(s, 'PUT', `/_matrix/client/v3/user/@alice:${NAME}/account_data/x.big.${i}`, { token: me.token, body: big })).status;
    if (last === 200) stored++;
  }
  t.equal(last, 413, 'account data past 4 MiB per user is refused');
  t.ok(stored >= 60 && stored < 80, `${stored} entries of 60,000 characters fit`);
  const replace = await mx(s, 'PUT', `/_matrix/client/v3/user/@alice:${NAME}/account_data/x.big.0`, { token: me.token, body: { small: true } });
  t.equal(replace.status, 200, 'replacing an entry with less is allowed');
});
