import t from 'tap';
import { startTestServer } from '../helpers/server.js';

async function post(http: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${http}${path}`, {
    method: 'POST', headers: token === undefined ? {} : { Authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Failures from one address before its back-off: small, so the last test reaches it in a few requests. */
const FAILURES_PER_IP = 6;
const s = await startTestServer({ loginFailuresPerIp: FAILURES_PER_IP });
t.teardown(() => s.close());
const root = await s.user('root', 'admin');
const general = await s.room('general', ['root']);
const garden = await s.room('garden', ['root']);

async function link(maxUses: number, rooms: string[]): Promise<string> {
  const r = await post(s.http, '/api/v1/admin/invite-links', { expiresInHours: 24, maxUses, rooms }, root.token);
  if (r.status !== 201) throw new Error(`link not made: ${JSON.stringify(r.body)}`);
  return String(r.body.token);
}

t.test('GET /join/<token> opens the web client; check tells the page which rooms the link joins', async (t) => {
  const token = await link(1, [general, garden]);
  const page = await fetch(`${s.http}/join/${token}`);
  // Without a build the client is absent (the route falls through to 404); the join page itself is tested in test/web.
  t.ok(page.status === 200 || page.status === 404);
  const check = await post(s.http, '/api/v1/invite-links/check', { token });
  t.match(check, { status: 200, body: { rooms: [{ id: general, name: 'general' }, { id: garden, name: 'garden' }] } });
  t.match(await post(s.http, '/api/v1/invite-links/check', { token: 'A'.repeat(32) }), { status: 403, body: { error: { reason: 'invite_link_spent' } } });
});

t.test('redeeming makes the account, joins the link\'s rooms and returns a session token the socket accepts', async (t) => {
  const token = await link(1, [general, garden]);
  const r = await post(s.http, '/api/v1/invite-links/redeem', { token, name: 'ana', password: 'violet-harbour-93', displayName: 'Ana' });
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.match(r.body, { token: /^[A-Za-z0-9_-]{43}$/, user: { name: 'ana', role: 'member' }, rooms: [general, garden] });
  const socket = await s.connect(String(r.body.token));
  const ack = await socket.request({ type: 'send', room: garden, body: 'hi all', clientMsgId: 'a1' });
  t.match(ack, { type: 'ack' }, 'the newcomer posts in the link\'s room at once');
  const login = await post(s.http, '/api/v1/login', { username: 'ana', password: 'violet-harbour-93' });
  t.equal(login.status, 200, 'and can sign in again later with the chosen password');
  t.match(await post(s.http, '/api/v1/invite-links/redeem', { token, name: 'ben', password: 'violet-harbour-93' }), {
    status: 403, body: { error: { code: 'forbidden', reason: 'invite_link_spent' } },
  }, 'a 1-use link is spent');
});

t.test('two concurrent redeems of a 1-use link: exactly one account is made', async (t) => {
  const token = await link(1, [general]);
  const [a, b] = await Promise.all([
    post(s.http, '/api/v1/invite-links/redeem', { token, name: 'cai', password: 'amber-lantern-51' }),
    post(s.http, '/api/v1/invite-links/redeem', { token, name: 'dev', password: 'amber-lantern-52' }),
  ]);
  t.same([a.status, b.status].sort(), [200, 403]);
  const made = s.admin((db) => db.prepare("SELECT count(*) AS n FROM users WHERE name IN ('cai', 'dev')").get() as { n: number }).n;
  t.equal(made, 1);
});

t.test('a bad name or a weak password is refused, makes nothing and leaves the use unspent', async (t) => {
  const token = await link(1, [general]);
  const users = (): number => s.admin((db) => (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n);
  const before = users();
  t.match(await post(s.http, '/api/v1/invite-links/redeem', { token, name: 'root', password: 'amber-lantern-51' }), { status: 409 });
  t.match(await post(s.http, '/api/v1/invite-links/redeem', { token, name: 'bad name', password: 'amber-lantern-51' }), { status: 400 });
  t.match(await post(s.http, '/api/v1/invite-links/redeem', { token, name: 'eve', password: 'short' }), { status: 400, body: { error: { message: /at least/ } } });
  t.match(await post(s.http, '/api/v1/invite-links/redeem', { token, name: 'eve', password: 'eve-eve-eve-eve' }), { status: 400 }, 'the password may not contain the name');
  t.match(await post(s.http, '/api/v1/invite-links/redeem', { token, name: 'eve' }), { status: 400 });
  t.equal(users(), before);
  t.match(await post(s.http, '/api/v1/invite-links/redeem', { token, name: 'eve', password: 'amber-lantern-53' }), { status: 200 }, 'the link still works');
});

t.test('guessing link tokens is throttled like guessing passwords (the per-address failures of logins and links add up)', async (t) => {
  // Earlier tests spent a few failures from this address already; the block comes within the allowed count either way.
  const statuses: number[] = [];
  for (let i = 0; i <= FAILURES_PER_IP && !statuses.includes(429); i++) {
    const r = await post(s.http, '/api/v1/invite-links/redeem', { token: `${'x'.repeat(31)}${i}`, name: 'guess', password: 'amber-lantern-51' });
    statuses.push(r.status);
  }
  t.equal(statuses.at(-1), 429, `blocked after at most ${FAILURES_PER_IP} failures: ${statuses.join(' ')}`);
  t.ok(statuses.slice(0, -1).every((x) => x === 403), 'refused as spent until then');
  const check = await post(s.http, '/api/v1/invite-links/check', { token: 'y'.repeat(32) });
  t.equal(check.status, 429, 'checking a link is throttled too');
});
