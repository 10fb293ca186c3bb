import t from 'tap';
import { startServer } from '../../src/gateway/server.js';
import { createLogger } from '../../src/log.js';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx } from './helpers.js';

const NAME = 'roost.test';

t.test('the Matrix door answers discovery, errors and CORS the way clients expect', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const versions = await mx(s, 'GET', '/_matrix/client/versions');
  t.equal(versions.status, 200);
  t.ok(versions.body.versions.includes('v1.11'), 'v1.11 advertised');
  t.notOk(versions.body.versions.includes('v1.12'), 'nothing newer than what is served');
  const wk = await mx(s, 'GET', '/.well-known/matrix/client');
  t.same(wk.body['io.element.e2ee'], { force_disable: true }, 'Element is told not to set up encryption');
  const unknown = await mx(s, 'GET', '/_matrix/client/v3/no/such/thing');
  t.equal(unknown.status, 404);
  t.same(unknown.body, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  const meta = await mx(s, 'GET', '/_matrix/client/v1/auth_metadata');
  t.equal(meta.body.errcode, 'M_UNRECOGNIZED', 'auth_metadata: password login only');
  const pre = await fetch(`${s.http}/_matrix/client/v3/login`, { method: 'OPTIONS', headers: { Origin: 'https://app.element.io' } });
  t.equal(pre.status, 204, 'preflight answered');
  t.equal(pre.headers.get('access-control-allow-origin'), '*');
  t.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  for (const [name, value] of [
    ['access-control-allow-origin', '*'], ['cache-control', 'no-store'], ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer'], ['x-frame-options', 'DENY'], ['content-type', 'application/json'],
  ]) t.equal(versions.headers.get(name ?? ''), value, `an answer carries ${name}: ${value}`);
  t.match(versions.headers.get('access-control-allow-methods') ?? '', /PUT/);
  t.match(versions.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const flows = await mx(s, 'GET', '/_matrix/client/r0/login');
  t.same(flows.body, { flows: [{ type: 'm.login.password' }] }, 'r0 is an alias of v3');
  const register = await mx(s, 'POST', '/_matrix/client/v3/register', { body: { username: 'x', password: 'y' } });
  t.equal(register.status, 403);
  t.equal(register.body.errcode, 'M_FORBIDDEN');
  const missing = await mx(s, 'GET', '/_matrix/client/v3/account/whoami');
  t.equal(missing.status, 401);
  t.equal(missing.body.errcode, 'M_MISSING_TOKEN');
  const wrong = await mx(s, 'GET', '/_matrix/client/v3/account/whoami', { token: 'A'.repeat(43) });
  t.equal(wrong.status, 401);
  t.equal(wrong.body.errcode, 'M_UNKNOWN_TOKEN');
  const alice = await s.user('alice');
  const me = await matrixLogin(s, 'alice', alice.password);
  const notJson = await mx(s, 'POST', '/_matrix/client/v3/user/@alice:roost.test/filter', { token: me.token, raw: '{nope' });
  t.equal(notJson.status, 400);
  t.equal(notJson.body.errcode, 'M_NOT_JSON');
  const big = await mx(s, 'POST', '/_matrix/client/v3/user/@alice:roost.test/filter', { token: me.token, raw: JSON.stringify({ x: 'y'.repeat(s.config.maxHttpBodyBytes) }) });
  t.equal(big.status, 413);
  t.equal(big.body.errcode, 'M_TOO_LARGE');
});

t.test('a Matrix login is a session with a device: whoami, devices, logout, and revoked from the native list', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bad = await mx(s, 'POST', '/_matrix/client/v3/login', { body: { type: 'm.login.password', user: 'alice', password: 'wrong-password-here' } });
  t.equal(bad.status, 403, 'a wrong password is M_FORBIDDEN');
  t.equal(bad.body.errcode, 'M_FORBIDDEN');
  const legacy = await mx(s, 'POST', '/_matrix/client/v3/login', { body: { type: 'm.login.password', user: '@alice:roost.test', password: alice.password, device_id: 'LEGACYDEV' } });
  t.equal(legacy.status, 200, 'the legacy `user` field with a full user id works');
  t.equal(legacy.body.user_id, '@alice:roost.test');
  t.equal(legacy.body.device_id, 'LEGACYDEV');
  const me = await matrixLogin(s, 'alice', alice.password, 'PHONE');
  const who = await mx(s, 'GET', '/_matrix/client/v3/account/whoami', { token: me.token });
  t.same(who.body, { user_id: '@alice:roost.test', is_guest: false, device_id: 'PHONE' });
  const devices = await mx(s, 'GET', '/_matrix/client/v3/devices', { token: me.token });
  t.same(devices.body.devices.map((d: { device_id: string }) => d.device_id).sort(), ['LEGACYDEV', 'PHONE']);
  const renamed = await mx(s, 'PUT', '/_matrix/client/v3/devices/PHONE', { token: me.token, body: { display_name: 'My phone' } });
  t.equal(renamed.status, 200);
  // The native sessions list shows the Matrix devices by their names; ending one there ends the Matrix token.
  const list = await fetch(`${s.http}/api/v1/account/sessions`, { headers: { Authorization: `Bearer ${alice.token}` } });
  const sessions = ((await list.json()) as { sessions: Array<{ id: string; device: string }> }).sessions;
  const phone = sessions.find((x) => x.device === 'My phone');
  t.ok(phone !== undefined, 'the Matrix device is in the native sessions list');
  const end = await fetch(`${s.http}/api/v1/account/sessions/${phone?.id ?? ''}`, { method: 'DELETE', headers: { Authorization: `Bearer ${alice.token}` } });
  t.equal(end.status, 204);
  const after = await mx(s, 'GET', '/_matrix/client/v3/account/whoami', { token: me.token });
  t.equal(after.status, 401);
  t.equal(after.body.errcode, 'M_UNKNOWN_TOKEN', 'revoked from the native list: the Matrix token is unknown');
  t.equal((await mx(s, 'GET', '/_matrix/client/v3/account/whoami', { token: legacy.body.access_token as string })).status, 200, 'a GET that may remember the session');
  const out = await mx(s, 'POST', '/_matrix/client/v3/logout', { token: legacy.body.access_token as string });
  t.equal(out.status, 200);
  const gone = await mx(s, 'GET', '/_matrix/client/v3/account/whoami', { token: legacy.body.access_token as string });
  t.equal(gone.body.errcode, 'M_UNKNOWN_TOKEN', 'after logout the token is unknown');
});

t.test('a login naming more than 64 characters is bad JSON, refused before the throttle keeps the name', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, loginFailuresPerIp: 3 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  for (let i = 0; i < 5; i++) {
    const r = await mx(s, 'POST', '/_matrix/client/v3/login', { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: `${i}${'u'.repeat(60_000)}` }, password: 'wrong' } });
    t.match(r, { status: 400, body: { errcode: 'M_BAD_JSON' } }, `attempt ${i}`);
  }
  const ok = await mx(s, 'POST', '/_matrix/client/v3/login', { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: alice.password } });
  t.equal(ok.status, 200, 'none of them counted as a failed login from this address (3 would have blocked it)');
});

t.test('filters are stored per user and honoured; stubs answer valid shapes', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const me = await matrixLogin(s, 'alice', alice.password);
  const up = await mx(s, 'POST', '/_matrix/client/v3/user/@alice:roost.test/filter', { token: me.token, body: { room: { timeline: { limit: 1 } } } });
  t.equal(up.status, 200);
  const got = await mx(s, 'GET', `/_matrix/client/v3/user/@alice:roost.test/filter/${String(up.body.filter_id)}`, { token: me.token });
  t.same(got.body, { room: { timeline: { limit: 1 } } });
  const other = await mx(s, 'POST', '/_matrix/client/v3/user/@bob:roost.test/filter', { token: me.token, body: {} });
  t.equal(other.body.errcode, 'M_FORBIDDEN', 'no filters for someone else');
  const rules = await mx(s, 'GET', '/_matrix/client/v3/pushrules/', { token: me.token });
  t.ok(Array.isArray(rules.body.global.override) && Array.isArray(rules.body.global.underride), 'default push rules');
  t.same((await mx(s, 'GET', '/_matrix/client/v3/voip/turnServer', { token: me.token })).body, {});
  t.same((await mx(s, 'GET', '/_matrix/client/v3/thirdparty/protocols', { token: me.token })).body, {});
  t.equal((await mx(s, 'GET', '/_matrix/client/v3/room_keys/version', { token: me.token })).status, 404);
  t.same((await mx(s, 'POST', '/_matrix/client/v3/keys/query', { token: me.token, body: { device_keys: { '@alice:roost.test': [] } } })).body.device_keys, {});
  t.equal((await mx(s, 'GET', '/_matrix/client/v3/capabilities', { token: me.token })).body.capabilities['m.room_versions'].default, '10');
  // A timeline of one event per room, from the stored filter.
  const room = await s.room('general', ['alice']);
  const c = await s.connect(alice.token);
  for (const body of ['one', 'two']) await c.request({ type: 'send', room, body, clientMsgId: body });
  const sync = await mx(s, 'GET', `/_matrix/client/v3/sync?filter=${String(up.body.filter_id)}`, { token: me.token });
  const timeline = sync.body.rooms.join[`!r${room}:${NAME}`].timeline;
  t.same(timeline.events.map((e: { content: { body: string } }) => e.content.body), ['two'], 'the filter\'s limit of 1');
  t.equal(timeline.limited, true);
});

t.test('a held /sync returns with a native send; a timeout returns empty', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const me = await matrixLogin(s, 'alice', alice.password);
  const room = await s.room('general', ['alice']);
  const first = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: me.token });
  const since = first.body.next_batch as string;
  const empty = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=50`, { token: me.token });
  t.same(empty.body.rooms.join, {}, 'nothing new: an empty reply after the timeout');
  const held = mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=30000`, { token: me.token });
  // The native send is made once the poll is held, so the poll has to be woken by it.
  const until = Date.now() + 20_000;
  while (s.server.matrixHeld() === 0) {
    if (Date.now() > until) throw new Error('the /sync was never held');
    await new Promise((r) => setTimeout(r, 10));
  }
  const c = await s.connect(alice.token);
  await c.request({ type: 'send', room, body: 'wake up', clientMsgId: 'w1' });
  const woke = await held;
  const events = woke.body.rooms.join[`!r${room}:${NAME}`].timeline.events;
  t.same(events.map((e: { content: { body: string } }) => e.content.body), ['wake up'], 'the held poll returned with the native message');
  t.equal(s.server.matrixHeld(), 0, 'nothing left held');
  const bad = await mx(s, 'GET', '/_matrix/client/v3/sync?since=garbage', { token: me.token });
  t.equal(bad.status, 400);
});

t.test('a send is idempotent per (device, txnId), and only the sending device hears its transaction id', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const phone = await matrixLogin(s, 'alice', alice.password, 'PHONE');
  const laptop = await matrixLogin(s, 'alice', alice.password, 'LAPTOP');
  const room = await s.room('general', ['alice']);
  const path = `/_matrix/client/v3/rooms/!r${room}:${NAME}/send/m.room.message/txn1`;
  const first = await mx(s, 'PUT', path, { token: phone.token, body: { msgtype: 'm.text', body: 'once' } });
  const again = await mx(s, 'PUT', path, { token: phone.token, body: { msgtype: 'm.text', body: 'once' } });
  t.equal(first.status, 200);
  t.equal(again.body.event_id, first.body.event_id, 'the retry answers the same event');
  const other = await mx(s, 'PUT', path, { token: laptop.token, body: { msgtype: 'm.text', body: 'twice' } });
  t.not(other.body.event_id, first.body.event_id, 'the same txnId from another device is another message');
  const page = await mx(s, 'GET', `/_matrix/client/v3/rooms/!r${room}:${NAME}/messages?dir=b&limit=10`, { token: phone.token });
  t.same(page.body.chunk.map((e: { content: { body: string } }) => e.content.body), ['twice', 'once'], 'one message per (device, txnId)');
  const txnOf = async (token: string): Promise<unknown> => {
    const sync = await mx(s, 'GET', '/_matrix/client/v3/sync', { token });
    const ev = sync.body.rooms.join[`!r${room}:${NAME}`].timeline.events.find((e: { event_id: string }) => e.event_id === first.body.event_id);
    return ev?.unsigned?.transaction_id;
  };
  t.equal(await txnOf(phone.token), 'txn1', 'the sending device gets its transaction id');
  t.equal(await txnOf(laptop.token), undefined, 'another device does not');
});

t.test('a non-member is refused with M_FORBIDDEN and sees nothing of the room', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, eve] = [await s.user('alice'), await s.user('eve')];
  const room = await s.room('secret', ['alice']);
  const c = await s.connect(alice.token);
  await c.request({ type: 'send', room, body: 'the plans', clientMsgId: 'p1' });
  const me = await matrixLogin(s, 'eve', eve.password);
  const base = `/_matrix/client/v3/rooms/!r${room}:${NAME}`;
  for (const [method, path, body] of [
    ['GET', `${base}/messages?dir=b`, undefined], ['GET', `${base}/state`, undefined], ['GET', `${base}/event/$r${room}-1`, undefined],
    ['PUT', `${base}/send/m.room.message/t1`, { msgtype: 'm.text', body: 'hi' }], ['GET', `${base}/members`, undefined],
  ] as const) {
    const r = await mx(s, method, path, { token: me.token, body });
    t.equal(r.status, 403, `${method} ${path.slice(base.length)}: 403`);
    t.equal(r.body.errcode, 'M_FORBIDDEN');
    t.notMatch(JSON.stringify(r.body), /the plans|secret/, 'nothing of the room in the refusal');
  }
  const sync = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: me.token });
  t.same(sync.body.rooms.join, {}, 'the room is not in her sync');
  const enc = await mx(s, 'PUT', `/_matrix/client/v3/rooms/!r${room}:${NAME}/state/m.room.encryption/`, { token: (await matrixLogin(s, 'alice', alice.password)).token, body: { algorithm: 'm.megolm.v1.aes-sha2' } });
  t.equal(enc.body.errcode, 'M_FORBIDDEN', 'encryption is refused');
  t.match(enc.body.error, /server-side searchable/);
});

t.test('a since token stays valid across a restart', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const me = await matrixLogin(s, 'alice', alice.password);
  const room = await s.room('general', ['alice']);
  const first = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: me.token });
  const c = await s.connect(alice.token);
  await c.request({ type: 'send', room, body: 'while you were away', clientMsgId: 'a1' });
  await c.close();
  await s.server.close();
  const again = await startServer(s.config, createLogger({ level: 'silent', pretty: false }));
  const res = await fetch(`http://127.0.0.1:${again.port}/_matrix/client/v3/sync?since=${String(first.body.next_batch)}`, { headers: { Authorization: `Bearer ${me.token}` } });
  const body = (await res.json()) as { rooms: { join: Record<string, { timeline: { events: Array<{ content: { body: string } }> } }> } };
  t.same(body.rooms.join[`!r${room}:${NAME}`]?.timeline.events.map((e) => e.content.body), ['while you were away'], 'the old token picks up exactly what followed it');
  await again.close();
  const renamed = await startServer({ ...s.config, matrixServerName: 'other.name' }, createLogger({ level: 'silent', pretty: false })).then(
    async (started) => {
      await started.close();
      return 'started';
    }, (err: Error) => err.message);
  t.match(renamed, /cannot change once user and room ids exist/, 'a different server name is refused at start');
});

t.test('public rooms and the user directory come from Roost\'s own', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice] = [await s.user('alice'), await s.user('bobby')];
  const me = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: me.token, body: { name: 'town square', preset: 'public_chat' } });
  t.equal(made.status, 200);
  const list = await mx(s, 'GET', '/_matrix/client/v3/publicRooms', { token: me.token });
  t.same(list.body.chunk.map((x: { room_id: string; name: string }) => [x.room_id, x.name]), [[made.body.room_id, 'town square']]);
  const people = await mx(s, 'POST', '/_matrix/client/v3/user_directory/search', { token: me.token, body: { search_term: 'bob' } });
  t.same(people.body.results.map((u: { user_id: string }) => u.user_id), [`@bobby:${NAME}`]);
});
