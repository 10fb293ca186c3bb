import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx, type Json } from './helpers.js';

const NAME = 'roost.test';
const SEARCH = '/_matrix/client/v3/search';

const bodies = (r: { body: Json }): string[] =>
  (r.body.search_categories.room_events.results as Array<{ result: { content: { body: string } } }>).map((x) => x.result.content.body);

t.test('POST /search finds room events in the caller\'s rooms only, Chinese included, newest first', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bobUser] = [await s.user('alice'), await s.user('bob')];
  const family = await s.room('family', ['alice', 'bob']);
  const secret = await s.room('secret', ['bob']);
  const c = await s.connect(alice.token);
  await c.request({ type: 'send', room: family, body: '我们明天讨论暖气的问题', clientMsgId: 'z1' });
  await c.request({ type: 'send', room: family, body: 'the heating is fixed', clientMsgId: 'e1' });
  await c.request({ type: 'send', room: family, body: 'heating bill arrived', clientMsgId: 'e2' });
  const bob = await s.connect(bobUser.token);
  await bob.request({ type: 'send', room: secret, body: 'heating secret plan', clientMsgId: 's1' });
  const me = await matrixLogin(s, 'alice', alice.password);

  const en = await mx(s, 'POST', SEARCH, { token: me.token, body: { search_categories: { room_events: { search_term: 'heating' } } } });
  t.equal(en.status, 200);
  t.same(bodies(en), ['heating bill arrived', 'the heating is fixed'], 'newest first; nothing from a room she is not in');
  const first = en.body.search_categories.room_events.results[0].result;
  t.equal(first.type, 'm.room.message');
  t.equal(first.room_id, `!r${family}:${NAME}`);
  t.equal(first.sender, `@alice:${NAME}`);
  t.match(first.event_id, /^\$r\d+-\d+$/);

  const zh = await mx(s, 'POST', SEARCH, { token: me.token, body: { search_categories: { room_events: { search_term: '暖气' } } } });
  t.same(bodies(zh), ['我们明天讨论暖气的问题'], 'Chinese words are found inside a sentence without spaces');

  const paged = await mx(s, 'POST', SEARCH, { token: me.token, body: { search_categories: { room_events: { search_term: 'heating', filter: { limit: 1 } } } } });
  t.same(bodies(paged), ['heating bill arrived']);
  const batch = paged.body.search_categories.room_events.next_batch as string;
  t.type(batch, 'string', 'a full page names the next batch');
  const next = await mx(s, 'POST', `${SEARCH}?next_batch=${encodeURIComponent(batch)}`, { token: me.token, body: { search_categories: { room_events: { search_term: 'heating', filter: { limit: 1 } } } } });
  t.same(bodies(next), ['the heating is fixed'], 'the next batch continues before the last hit');

  const narrowed = await mx(s, 'POST', SEARCH, { token: me.token, body: { search_categories: { room_events: { search_term: 'heating', filter: { rooms: [`!r${secret}:${NAME}`] } } } } });
  t.equal(narrowed.status, 403, 'naming a room she is not in is refused');
  t.equal(narrowed.body.errcode, 'M_FORBIDDEN');
  t.notMatch(JSON.stringify(narrowed.body), /secret plan/);

  const r0 = await mx(s, 'POST', '/_matrix/client/r0/search', { token: me.token, body: { search_categories: { room_events: { search_term: 'bill' } } } });
  t.same(bodies(r0), ['heating bill arrived'], 'r0 is an alias');
});

t.test('POST /search refuses a missing term or a made-up batch, and answers nobody without a token', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const me = await matrixLogin(s, 'alice', alice.password);
  const none = await mx(s, 'POST', SEARCH, { token: me.token, body: { search_categories: {} } });
  t.equal(none.status, 400);
  t.equal(none.body.errcode, 'M_BAD_JSON');
  const batch = await mx(s, 'POST', `${SEARCH}?next_batch=zzz`, { token: me.token, body: { search_categories: { room_events: { search_term: 'x' } } } });
  t.equal(batch.status, 400);
  const anon = await mx(s, 'POST', SEARCH, { body: { search_categories: { room_events: { search_term: 'x' } } } });
  t.equal(anon.status, 401);
  t.equal(anon.body.errcode, 'M_MISSING_TOKEN');
});

t.test('in a room whose newcomers see history from their join on, search shows a newcomer nothing older', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, carol] = [await s.user('alice'), await s.user('carol')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board' } });
  const room = made.body.room_id as string;
  const vis = await mx(s, 'PUT', `/_matrix/client/v3/rooms/${room}/state/m.room.history_visibility/`, { token: a.token, body: { history_visibility: 'joined' } });
  t.equal(vis.status, 200);
  await mx(s, 'PUT', `/_matrix/client/v3/rooms/${room}/send/m.room.message/t1`, { token: a.token, body: { msgtype: 'm.text', body: 'budget before carol' } });
  const inv = await mx(s, 'POST', `/_matrix/client/v3/rooms/${room}/invite`, { token: a.token, body: { user_id: `@carol:${NAME}` } });
  t.equal(inv.status, 200);
  const c = await matrixLogin(s, 'carol', carol.password);
  const joined = await mx(s, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(room)}`, { token: c.token, body: {} });
  t.equal(joined.status, 200);
  await mx(s, 'PUT', `/_matrix/client/v3/rooms/${room}/send/m.room.message/t2`, { token: a.token, body: { msgtype: 'm.text', body: 'budget after carol' } });
  const ask = { search_categories: { room_events: { search_term: 'budget' } } };
  t.same(bodies(await mx(s, 'POST', SEARCH, { token: a.token, body: ask })), ['budget after carol', 'budget before carol'], 'alice sees both');
  t.same(bodies(await mx(s, 'POST', SEARCH, { token: c.token, body: ask })), ['budget after carol'], 'carol sees only what came after her join');
});
