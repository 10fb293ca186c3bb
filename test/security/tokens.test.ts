import { randomBytes, scryptSync } from 'node:crypto';
import t from 'tap';
import { passwordProblem } from '../../src/auth/password-policy.js';
import { generatePassword, hashPassword, needsRehash } from '../../src/auth/password.js';
import { TokenRefresher, REFRESH_INTERVAL_MS } from '../../src/auth/token-refresh.js';
import { hashToken } from '../../src/auth/tokens.js';
import { main } from '../../src/cli/main.js';
import { addUser } from '../../src/store/admin/admin.js';
import type { WriteOp } from '../../src/store/write/write-ops.js';
import { TestClient } from '../helpers/client.js';
import { sleep, startTestServer, type TestServer } from '../helpers/server.js';

const DAY = 24 * 60 * 60 * 1000;

interface TokenDbRow { expires_at: number; last_used_at: number | null; last_ip: string; revoked_at: number | null; created_at: number }
const tokenRow = (s: TestServer, token: string): TokenDbRow =>
  s.admin((db) => db.prepare('SELECT expires_at, last_used_at, last_ip, revoked_at, created_at FROM tokens WHERE hash = ?')
    .get(Buffer.from(hashToken(token), 'hex')) as TokenDbRow);

/** Runs the CLI in-process and returns what it printed on stdout. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true; }) as typeof process.stdout.write;
  try {
    const code = await main(['node', 'roost', ...args]);
    return { code, out };
  } finally {
    process.stdout.write = write;
  }
}

t.test('sliding expiry: a use refreshes the expiry at most once an hour per token, through the writer', async (t) => {
  const ops: WriteOp[] = [];
  const done: Array<() => void> = [];
  const queue = { submit: (op: WriteOp, cb: () => void) => { ops.push(op); done.push(cb); return true; } };
  const r = new TokenRefresher(queue as never, 30 * DAY);
  const now = 10 * DAY;
  t.equal(r.used('aa', now - 10 * 60 * 1000, () => '10.0.0.2', now), false, 'used 10 minutes ago: no write');
  t.equal(r.used('aa', now - REFRESH_INTERVAL_MS - 1, () => '10.0.0.2', now), true, 'used over an hour ago: one write');
  t.equal(r.used('aa', now - REFRESH_INTERVAL_MS - 1, () => '10.0.0.2', now + 5), false, 'not twice while the first is in flight');
  t.same(ops, [{ k: 'touch', hash: 'aa', usedAt: now, expiresAt: now + 30 * DAY, ip: '10.0.0.2' }]);
  done[0]?.();
  t.equal(r.inFlight, 0, 'the in-flight set empties when the write is done');
  const full = new TokenRefresher({ submit: () => false } as never, DAY);
  t.equal(full.used('bb', 0, () => 'x', REFRESH_INTERVAL_MS * 2), false, 'a full writer queue does not refuse the request');
  t.equal(full.inFlight, 0);
});

t.test('a used token gets its expiry pushed to now + 30 days, with when and from where it was used', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const before = tokenRow(s, alice.token);
  t.ok(Math.abs(before.expires_at - (before.created_at + 30 * DAY)) < 1000, 'a new token lives 30 days');
  // Pretend the token was last used two hours ago and is about to expire.
  const soon = Date.now() + 60_000;
  s.admin((db) => db.prepare('UPDATE tokens SET created_at = ?, expires_at = ? WHERE hash = ?')
    .run(Date.now() - 2 * 60 * 60 * 1000, soon, Buffer.from(hashToken(alice.token), 'hex')));
  const usedFrom = Date.now();
  t.equal((await fetch(`${s.http}/api/v1/rooms`, { headers: { Authorization: `Bearer ${alice.token}` } })).status, 200);
  // The touch goes through the writer thread: wait for it (a deadline that only catches a hang).
  for (const until = Date.now() + 15_000; tokenRow(s, alice.token).last_used_at === null && Date.now() < until;) await sleep(20);
  const after = tokenRow(s, alice.token);
  t.ok(after.expires_at > Date.now() + 29 * DAY, 'expiry slid forward');
  t.ok(after.last_used_at !== null && after.last_used_at >= usedFrom - 1 && after.last_used_at <= Date.now(), 'last use recorded, at the time of the request');
  t.equal(after.last_ip, '127.0.0.1');
  // A second use within the hour writes nothing.
  const c = await TestClient.connect(s.ws, alice.token);
  c.close();
  await sleep(300);
  t.equal(tokenRow(s, alice.token).last_used_at, after.last_used_at, 'no second write within the hour');

  s.admin((db) => db.prepare('UPDATE tokens SET expires_at = ? WHERE hash = ?').run(Date.now() - 1, Buffer.from(hashToken(alice.token), 'hex')));
  t.equal((await fetch(`${s.http}/api/v1/rooms`, { headers: { Authorization: `Bearer ${alice.token}` } })).status, 401, 'an expired token is refused');
  await t.rejects(TestClient.connect(s.ws, alice.token), /401/);
});

t.test('roost user tokens lists sign-ins; roost user logout-all revokes them and closes sockets', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const login2 = await fetch(`${s.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'alice', password: alice.password }) });
  const token2 = ((await login2.json()) as { token: string }).token;
  const bob = await s.user('bob');
  const sockets = [await TestClient.connect(s.ws, alice.token), await TestClient.connect(s.ws, token2)];
  const bobSocket = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => bobSocket.close());

  const listed = await cli(['user', 'tokens', 'alice', '--data', s.dataDir]);
  t.equal(listed.code, 0);
  t.match(listed.out, /ID\s+CREATED\s+LAST USED\s+LOGIN IP\s+LAST IP\s+EXPIRES\s+STATUS/);
  t.equal(listed.out.split('\n').filter((l) => / live$/.test(l)).length, 2, 'two live tokens');
  t.match(listed.out, /127\.0\.0\.1/);
  t.notMatch(listed.out, alice.token, 'the token itself is never shown');

  const revoked = await cli(['user', 'logout-all', 'alice', '--data', s.dataDir]);
  t.equal(revoked.code, 0);
  t.match(revoked.out, 'revoked 2 tokens of alice');
  await s.followed();
  const closes = await Promise.all(sockets.map((c) => c.closedWithin(20_000)));
  t.notOk(closes.includes(null), 'both sockets closed within the follower tick');
  for (const c of closes) t.equal(c?.code, 4001, 'token_revoked: sign in again');
  t.equal((await fetch(`${s.http}/api/v1/rooms`, { headers: { Authorization: `Bearer ${token2}` } })).status, 401);
  t.match(await bobSocket.request({ type: 'ping' }), { type: 'pong' }, 'another user is untouched');
  const none = await cli(['user', 'tokens', 'alice', '--data', s.dataDir]);
  t.match(none.out, 'alice has no live tokens');
  const all = await cli(['user', 'tokens', 'alice', '--all', '--data', s.dataDir]);
  t.equal(all.out.split('\n').filter((l) => / revoked$/.test(l)).length, 2);
});

t.test('a password hashed with older scrypt parameters is re-hashed at login', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const password = 'an old but fine password';
  const salt = randomBytes(16);
  const weak = ['scrypt', 1024, 8, 1, salt.toString('base64'), scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')].join('$');
  t.ok(needsRehash(weak));
  t.notOk(needsRehash(await hashPassword('x')));
  s.admin((db) => addUser(db, 'carol', 'member', weak));
  const login = async (): Promise<number> => (await fetch(`${s.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'carol', password }) })).status;
  t.equal(await login(), 200);
  let stored = weak;
  for (const until = Date.now() + 15_000; Date.now() < until && stored === weak;) {
    await sleep(100);
    stored = s.admin((db) => (db.prepare('SELECT password_hash FROM users WHERE name = ?').get('carol') as { password_hash: string }).password_hash);
  }
  t.match(stored, /^scrypt\$16384\$8\$1\$/, 'stored with today\'s parameters');
  t.equal(await login(), 200, 'the same password still works');
});

t.test('user-chosen passwords: length, not common, not the user name', async (t) => {
  t.match(passwordProblem('short', 'alice'), /at least 10/);
  t.match(passwordProblem('password123', 'alice'), /most common/);
  t.match(passwordProblem('RaspberryPi', 'alice'), /most common/, 'case does not help');
  t.match(passwordProblem('aaaaaaaaaaaaaa', 'alice'), /too few different/);
  t.match(passwordProblem('alice-is-great', 'alice'), /user name/);
  t.match(passwordProblem('xxALICExx2024', 'alice'), /user name/);
  t.equal(passwordProblem('correct horse battery staple', 'alice'), undefined);
  t.equal(passwordProblem(generatePassword(), 'alice'), undefined, 'generated passwords always pass');
  t.match(passwordProblem('x'.repeat(2000), 'alice'), /at most/);
});
