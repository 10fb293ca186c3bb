/**
 * What the Matrix door hands the rules core gets the native door's checks
 * (the frame parser's lengths and reaction keys, the room text rules): bad
 * input is a clear Matrix error and changes nothing.
 */
import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx } from './helpers.js';

const NAME = 'roost.test';

t.test('a message body longer than maxBodyChars is refused, like a native send', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, maxBodyChars: 100 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  const room = await s.room('general', ['alice']);
  const base = `/_matrix/client/v3/rooms/!r${room}:${NAME}`;
  const long = await mx(s, 'PUT', `${base}/send/m.room.message/t1`, { token: a.token, body: { msgtype: 'm.text', body: 'x'.repeat(5000) } });
  t.equal(long.status, 413, `5000 chars over a 100-char limit: ${long.status} ${JSON.stringify(long.body).slice(0, 80)}`);
  t.equal(long.body.errcode, 'M_TOO_LARGE');
  const ok = await mx(s, 'PUT', `${base}/send/m.room.message/t2`, { token: a.token, body: { msgtype: 'm.text', body: 'short' } });
  t.equal(ok.status, 200);
  const edit = await mx(s, 'PUT', `${base}/send/m.room.message/t3`, {
    token: a.token,
    body: { msgtype: 'm.text', body: '* big', 'm.new_content': { msgtype: 'm.text', body: 'y'.repeat(5000) }, 'm.relates_to': { rel_type: 'm.replace', event_id: ok.body.event_id } },
  });
  t.equal(edit.status, 413, `an edit to 5000 chars: ${edit.status}`);
  const page = await mx(s, 'GET', `${base}/messages?dir=b&limit=10`, { token: a.token });
  t.notOk(page.body.chunk.some((e: { content: { body?: string } }) => (e.content.body ?? '').length > 100), 'nothing over the limit stored');
});

t.test('a reaction key is 1 to 32 characters without spaces, like a native react', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  const room = await s.room('general', ['alice']);
  const base = `/_matrix/client/v3/rooms/!r${room}:${NAME}`;
  const msg = await mx(s, 'PUT', `${base}/send/m.room.message/t1`, { token: a.token, body: { msgtype: 'm.text', body: 'hi' } });
  for (const [i, key] of ['k'.repeat(20_000), '', 'two words'].entries()) {
    const r = await mx(s, 'PUT', `${base}/send/m.reaction/r${i}`, { token: a.token, body: { 'm.relates_to': { rel_type: 'm.annotation', event_id: msg.body.event_id, key } } });
    t.equal(r.status, 400, `reaction key of ${key.length} chars ${JSON.stringify(key.slice(0, 12))}: ${r.status}`);
  }
});

t.test('room names and topics from Matrix get the native limits and cleaning', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  const huge = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'n'.repeat(5000), topic: 't'.repeat(20_000) } });
  t.match(huge, { status: 400, body: { errcode: 'M_BAD_JSON' } }, 'createRoom with a 5000-char name and a 20000-char topic');
  const long = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'plain', topic: 't'.repeat(20_000) } });
  t.match(long, { status: 413, body: { errcode: 'M_TOO_LARGE', error: /topic/ } }, 'and with a fine name but a 20000-char topic (over the native frame\'s raw limit)');
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'plain' } });
  const base = `/_matrix/client/v3/rooms/${made.body.room_id as string}`;
  const empty = await mx(s, 'PUT', `${base}/state/m.room.name/`, { token: a.token, body: { name: '' } });
  t.equal(empty.status, 400, 'an empty name');
  const lone = await mx(s, 'PUT', `${base}/state/m.room.name/`, { token: a.token, body: { name: 'plans \ud800' } });
  t.equal(lone.status, 400, 'a name with a lone surrogate is refused, not altered');
  t.equal((await mx(s, 'GET', `${base}/state/m.room.name/`, { token: a.token })).body.name, 'plain', 'none of them changed the name');
  const bidi = await mx(s, 'PUT', `${base}/state/m.room.name/`, { token: a.token, body: { name: 'evil\u202etxt.exe\u0007' } });
  t.equal(bidi.status, 200);
  t.equal((await mx(s, 'GET', `${base}/state/m.room.name/`, { token: a.token })).body.name, 'eviltxt.exe', 'a bidi override and a control character are cleaned out');
  const keyed = await mx(s, 'PUT', `${base}/state/m.room.topic/not-empty`, { token: a.token, body: { topic: 'set through a state key' } });
  t.match(keyed, { status: 403, body: { errcode: 'M_FORBIDDEN' } }, 'a room topic under another state key is not kept');
  t.not((await mx(s, 'GET', `${base}/state/m.room.topic/`, { token: a.token })).body.topic, 'set through a state key', 'the room topic is unchanged');
});

t.test('a power levels body whose users or levels are not what the spec says is bad JSON, and changes nothing', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', preset: 'public_chat' } });
  const roomId = made.body.room_id as string;
  const base = `/_matrix/client/v3/rooms/${roomId}`;
  const b = await matrixLogin(s, 'bob', bob.password);
  t.equal((await mx(s, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, { token: b.token, body: {} })).status, 200);
  const u = (n: string): string => `@${n}:${NAME}`;
  t.equal((await mx(s, 'PUT', `${base}/state/m.room.power_levels/`, { token: a.token, body: { users: { [u('alice')]: 100, [u('bob')]: 50 } } })).status, 200, 'alice makes bob a moderator');
  for (const body of [{ users: { [u('alice')]: 100, [u('bob')]: '50' } }, { users: { [u('alice')]: 100, [u('bob')]: 49.5 } }, { users: [] }, { ban: 50 }]) {
    const bad = await mx(s, 'PUT', `${base}/state/m.room.power_levels/`, { token: a.token, body });
    t.match(bad, { status: 400, body: { errcode: 'M_BAD_JSON' } }, JSON.stringify(body));
  }
  const after = await mx(s, 'GET', `${base}/state/m.room.power_levels/`, { token: a.token });
  t.equal(after.body.users[u('bob')], 50, 'bob is still a moderator');
});

t.test('a power levels event is applied whole or not at all: one change the sender may not make refuses the others', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob, carol] = [await s.user('alice'), await s.user('bob'), await s.user('carol')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', preset: 'public_chat' } });
  const roomId = made.body.room_id as string;
  const base = `/_matrix/client/v3/rooms/${roomId}`;
  for (const who of [bob, carol]) {
    const x = await matrixLogin(s, who.name, who.password);
    t.equal((await mx(s, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, { token: x.token, body: {} })).status, 200);
  }
  const u = (n: string): string => `@${n}:${NAME}`;
  const alone = await mx(s, 'PUT', `${base}/state/m.room.power_levels/`, { token: a.token, body: { users: { [u('alice')]: 0, [u('bob')]: 50 } } });
  t.match(alone, { status: 409, body: { error: /owner/ } }, 'the last owner stepping down is refused');
  const after = await mx(s, 'GET', `${base}/state/m.room.power_levels/`, { token: a.token });
  t.equal(after.body.users[u('bob')], undefined, 'so bob was not made a moderator either');
  t.equal(after.body.users[u('alice')], 100);
  const handover = await mx(s, 'PUT', `${base}/state/m.room.power_levels/`, { token: a.token, body: { users: { [u('bob')]: 100, [u('carol')]: 50 } } });
  t.equal(handover.status, 200, 'handing the room to bob and stepping down in one event is allowed');
  const now = await mx(s, 'GET', `${base}/state/m.room.power_levels/`, { token: a.token });
  t.same([now.body.users[u('alice')], now.body.users[u('bob')], now.body.users[u('carol')]], [undefined, 100, 50]);
});

t.test('a /messages `to` token this server never gave is M_INVALID_PARAM, like a bad `from`', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  const room = await s.room('general', ['alice']);
  const r = await mx(s, 'GET', `/_matrix/client/v3/rooms/!r${room}:${NAME}/messages?dir=b&to=garbage`, { token: a.token });
  t.equal(r.status, 400);
  t.equal(r.body.errcode, 'M_INVALID_PARAM');
});

t.test('user_directory/search with a fractional limit is rounded down, not a 500', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  const r = await mx(s, 'POST', '/_matrix/client/v3/user_directory/search', { token: a.token, body: { search_term: 'ali', limit: 1.5 } });
  t.equal(r.status, 200, `limit 1.5: ${JSON.stringify(r.body)}`);
  t.equal(r.body.results.length, 1, 'one result: alice');
});

t.test('/messages and publicRooms with a fractional limit are rounded down, not a 500', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  const room = await s.room('general', ['alice']);
  for (const path of [
    `/_matrix/client/v3/rooms/!r${room}:${NAME}/messages?dir=b&limit=1.5`,
    `/_matrix/client/v3/rooms/!r${room}:${NAME}/messages?dir=f&limit=1.5`,
    '/_matrix/client/v3/publicRooms?limit=1.5',
  ]) {
    const r = await mx(s, 'GET', path, { token: a.token });
    t.equal(r.status, 200, `${path.replace(/^.*v3\//, '')}: ${r.status} ${JSON.stringify(r.body).slice(0, 60)}`);
  }
});

t.test('a body nested deeper than 64 levels is M_BAD_JSON and stored nowhere; 64 levels are kept and synced', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, maxHttpBodyBytes: 256 * 1024 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const a = await matrixLogin(s, 'alice', alice.password);
  // Levels: the object around "a", then n arrays.
  const nested = (n: number): string => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
  const path = (type: string): string => `/_matrix/client/v3/user/@alice:${NAME}/account_data/${type}`;
  t.match(await mx(s, 'PUT', path('x.deep'), { token: a.token, raw: nested(65) }), { status: 400, body: { errcode: 'M_BAD_JSON' } });
  t.match(await mx(s, 'PUT', path('x.deeper'), { token: a.token, raw: nested(5000) }), { status: 400, body: { errcode: 'M_BAD_JSON' } }, 'one JSON.stringify could not take again');
  t.equal((await mx(s, 'GET', path('x.deep'), { token: a.token })).status, 404, 'nothing stored');
  t.equal((await mx(s, 'PUT', path('x.fine'), { token: a.token, raw: nested(64) })).status, 200);
  const sync = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: a.token });
  t.equal(sync.status, 200);
  t.ok((sync.body.account_data.events as Array<{ type: string }>).some((e) => e.type === 'x.fine'), 'the 64-level one comes back in /sync');
});

t.test('invite, kick and createRoom name users by string ids: anything else is M_BAD_JSON, an unknown id M_NOT_FOUND', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice] = [await s.user('alice'), await s.user('bob')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board' } });
  const base = `/_matrix/client/v3/rooms/${made.body.room_id as string}`;
  for (const path of [`${base}/invite`, `${base}/kick`]) {
    for (const user_id of [42, null, ['@bob:roost.test'], undefined]) {
      t.match(await mx(s, 'POST', path, { token: a.token, body: { user_id } }), { status: 400, body: { errcode: 'M_BAD_JSON' } }, `${path.split('/').pop()} ${JSON.stringify(user_id)}`);
    }
    t.match(await mx(s, 'POST', path, { token: a.token, body: { user_id: `@nobody:${NAME}` } }), { status: 404, body: { errcode: 'M_NOT_FOUND' } });
  }
  t.match(await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'x', invite: [7] } }), { status: 400, body: { errcode: 'M_BAD_JSON' } });
  t.match(await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'x', invite: [`@bob:${NAME}`] } }), { status: 200 });
});

t.test('a search query over 256 characters is refused at every door: socket, HTTP and Matrix', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  await s.room('den', ['alice']);
  const q = 'word '.repeat(60);
  const ws = await s.connect(alice.token);
  const native = await ws.request({ type: 'search', query: q });
  t.same([native.type, native.code], ['error', 'bad_request'], 'socket refuses');
  const http = await fetch(`${s.http}/api/v1/search?q=${encodeURIComponent(q)}`, { headers: { Authorization: `Bearer ${alice.token}` } });
  t.equal(http.status, 400, 'HTTP refuses');
  await http.text();
  const a = await matrixLogin(s, 'alice', alice.password);
  const m = await mx(s, 'POST', '/_matrix/client/v3/search', { token: a.token, body: { search_categories: { room_events: { search_term: q } } } });
  t.equal(m.status, 400, `Matrix refuses the same query (got ${m.status})`);
});

t.test('a display name of 300 raw characters (cleaned to 3) is refused at both doors, and the name is unchanged', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const raw = `a${' '.repeat(298)}b`;
  const ws = await s.connect(alice.token);
  const native = await ws.request({ type: 'set_profile', displayName: raw });
  t.equal(native.type, 'error', `socket refuses (${String(native.message)})`);
  const a = await matrixLogin(s, 'alice', alice.password);
  const m = await mx(s, 'PUT', `/_matrix/client/v3/profile/@alice:${NAME}/displayname`, { token: a.token, body: { displayname: raw } });
  t.match(m, { status: 400, body: { errcode: 'M_BAD_JSON' } }, `Matrix refuses the same name (got ${m.status})`);
  const shown = await mx(s, 'GET', `/_matrix/client/v3/profile/@alice:${NAME}/displayname`, { token: a.token });
  t.equal(shown.body.displayname, 'alice');
});
