import t from 'tap';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';


async function login(s: TestServer, name: string, password: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.http}/api/v1/login`, { method: 'POST', headers, body: JSON.stringify({ username: name, password, ...extra }) });
}

async function secondToken(s: TestServer, u: TestUser, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<string> {
  const res = await login(s, u.name, u.password, extra, headers);
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

const changePassword = (s: TestServer, token: string, body: unknown): Promise<Response> =>
  fetch(`${s.http}/api/v1/account/password`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

interface Listed { id: string; device: string; ip: string; createdAt: number; lastUsedAt: number; current: boolean }
async function sessions(s: TestServer, token: string): Promise<Listed[]> {
  const res = await fetch(`${s.http}/api/v1/account/sessions`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`sessions: ${res.status}`);
  return ((await res.json()) as { sessions: Listed[] }).sessions;
}

const NEW_PASSWORD = 'a kettle of hawks over the bay';

t.test('password change', async (t) => {
  const s = await startTestServer({ loginFailuresPerUser: 3 });
  t.teardown(() => s.close());

  t.test('with the right current password: the new one signs in, the old one no longer does, other sessions stay', async (t) => {
    const alice = await s.user('alice');
    const other = await s.connect(await secondToken(s, alice));
    const res = await changePassword(s, alice.token, { current: alice.password, password: NEW_PASSWORD });
    t.equal(res.status, 204);
    t.equal((await login(s, 'alice', NEW_PASSWORD)).status, 200);
    t.equal((await login(s, 'alice', alice.password)).status, 401);
    t.equal(await other.closedWithin(1500), null, 'without revokeOthers the other session stays open');
    t.equal((await other.request({ type: 'ping' })).type, 'pong');
  });

  t.test('a wrong current password is 403 wrong_password, changes nothing, and counts toward the login throttle', async (t) => {
    const bob = await s.user('bob');
    for (let i = 0; i < 3; i++) {
      const res = await changePassword(s, bob.token, { current: 'not my password at all', password: NEW_PASSWORD });
      t.equal(res.status, 403);
      t.same(await res.json(), { error: { code: 'forbidden', reason: 'wrong_password', message: 'the current password is wrong' } });
    }
    const throttled = await login(s, 'bob', bob.password);
    t.equal(throttled.status, 429, 'three wrong current passwords block even a right login from that address');
    t.ok(Number(throttled.headers.get('retry-after')) > 0);
    const again = await changePassword(s, bob.token, { current: bob.password, password: NEW_PASSWORD });
    t.equal(again.status, 429, 'and the password change itself while blocked');
    const hash = s.admin((db) => db.prepare('SELECT password_hash FROM users WHERE name = ?').get('bob') as { password_hash: string });
    t.ok(hash.password_hash.startsWith('scrypt$'));
  });

  t.test('the new password must meet the policy of the CLI; nothing changes', async (t) => {
    const carol = await s.user('carol');
    for (const [password, why] of [['short', /at least 10/], ['1234567890', /most common/], ['xx-carol-xx-yy', /user name/]] as const) {
      const res = await changePassword(s, carol.token, { current: carol.password, password });
      t.equal(res.status, 400);
      t.match(await res.json(), { error: { code: 'bad_request', message: why } });
    }
    t.equal((await login(s, 'carol', carol.password)).status, 200, 'the old password still works');
    const malformed = await changePassword(s, carol.token, { current: carol.password, password: NEW_PASSWORD, revokeOthers: 'yes' });
    t.equal(malformed.status, 400);
    t.equal((await changePassword(s, 'x'.repeat(43), { current: carol.password, password: NEW_PASSWORD })).status, 401);
  });

  t.test('revokeOthers ends every other session: their sockets close with 4001 at once, this one stays', async (t) => {
    const dave = await s.user('dave');
    const otherToken = await secondToken(s, dave);
    const other = await s.connect(otherToken);
    const mine = await s.connect(dave.token);
    const res = await changePassword(s, dave.token, { current: dave.password, password: NEW_PASSWORD, revokeOthers: true });
    t.equal(res.status, 204);
    const closed = await other.closedWithin(20_000);
    t.equal(closed?.code, 4001, 'the other socket was closed as revoked');
    t.equal((await mine.request({ type: 'ping' })).type, 'pong', 'the session that changed it stays');
    t.equal((await fetch(`${s.http}/api/v1/rooms`, { headers: { Authorization: `Bearer ${otherToken}` } })).status, 401);
    const audit = s.admin((db) => db.prepare("SELECT actor, actor_name, details FROM audit_log WHERE action = 'user.passwd'").all()) as Array<{ actor: string; actor_name: string; details: string }>;
    t.match(audit.find((a) => a.actor_name === 'dave'), { actor: 'api' }, 'audited with the user as actor');
  });
});

t.test('sessions', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const erin = await s.user('erin');
  const phone = await secondToken(s, erin, { device: 'Pixel 8\u202e' });
  const laptop = await secondToken(s, erin, {}, { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' });

  t.test('the list shows each sign-in with its device, address and which one is asking', async (t) => {
    const list = await sessions(s, phone);
    t.equal(list.length, 3);
    t.same(list.map((l) => l.device).sort(), ['Firefox on Linux', 'Node.js', 'Pixel 8'].sort(), 'device given, User-Agent made readable, bidi override removed');
    t.same(list.filter((l) => l.current).map((l) => l.device), ['Pixel 8']);
    for (const l of list) {
      t.match(l, { id: /^[0-9a-f]{12}$/, ip: '127.0.0.1' });
      t.ok(l.lastUsedAt >= l.createdAt);
    }
    t.notMatch(JSON.stringify(list), phone, 'no token in the list');
  });

  t.test('ending one session closes its sockets with 4001 and it is gone from the list', async (t) => {
    const laptopSocket = await s.connect(laptop);
    const target = (await sessions(s, phone)).find((l) => l.device === 'Firefox on Linux');
    const res = await fetch(`${s.http}/api/v1/account/sessions/${target?.id ?? ''}`, { method: 'DELETE', headers: { Authorization: `Bearer ${phone}` } });
    t.equal(res.status, 204);
    t.equal((await laptopSocket.closedWithin(20_000))?.code, 4001);
    t.equal((await fetch(`${s.http}/api/v1/rooms`, { headers: { Authorization: `Bearer ${laptop}` } })).status, 401);
    t.same((await sessions(s, phone)).map((l) => l.device).sort(), ['Node.js', 'Pixel 8']);
    const again = await fetch(`${s.http}/api/v1/account/sessions/${target?.id ?? ''}`, { method: 'DELETE', headers: { Authorization: `Bearer ${phone}` } });
    t.equal(again.status, 404, 'an ended (or unknown) session is not found');
  });

  t.test('another user\'s session cannot be ended by its id', async (t) => {
    const frank = await s.user('frank');
    const erinsId = (await sessions(s, phone)).find((l) => l.current)?.id ?? '';
    const res = await fetch(`${s.http}/api/v1/account/sessions/${erinsId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${frank.token}` } });
    t.equal(res.status, 404);
    t.equal((await sessions(s, phone)).length, 2, 'erin\'s sessions are untouched');
  });

  t.test('revoke-others ends every session but the one asking', async (t) => {
    const first = await s.connect(erin.token);
    const res = await fetch(`${s.http}/api/v1/account/sessions/revoke-others`, { method: 'POST', headers: { Authorization: `Bearer ${phone}` } });
    t.equal(res.status, 204);
    t.equal((await first.closedWithin(20_000))?.code, 4001);
    t.same((await sessions(s, phone)).map((l) => l.current), [true]);
  });
});
