import t from 'tap';
import { SessionCache } from '../../src/auth/session-cache.js';
import { Authenticator, type SessionRow } from '../../src/auth/sessions.js';
import { REFRESH_INTERVAL_MS, TokenRefresher } from '../../src/auth/token-refresh.js';
import { hashToken, newToken } from '../../src/auth/tokens.js';
import type { WriteOp } from '../../src/store/write/write-ops.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = 100 * DAY;

/** An authenticator over a map of token hash → row, with a refresher whose writes are recorded. */
function setup(rows: Record<string, SessionRow>): { auth: Authenticator; ops: WriteOp[]; lookups: string[] } {
  const ops: WriteOp[] = [];
  const lookups: string[] = [];
  const refresher = new TokenRefresher({ submit: (op: WriteOp) => { ops.push(op); return true; } } as never, 30 * DAY);
  const auth = new Authenticator({ session: (hash) => { lookups.push(hash); return rows[hash]; } }, refresher, () => NOW);
  return { auth, ops, lookups };
}

const row = (over: Partial<SessionRow> = {}): SessionRow => ({
  userId: 7, name: 'alice', role: 'member', disabled: false, expiresAt: NOW + DAY, lastUsedAt: NOW - 2 * REFRESH_INTERVAL_MS, ...over,
});

t.test('a live token answers its user and which token it was', async (t) => {
  const token = newToken();
  const { auth } = setup({ [hashToken(token)]: row() });
  t.match(auth.authenticate(token, () => '10.0.0.2'), { userId: 7, name: 'alice', role: 'member', tokenHash: hashToken(token) });
});

t.test('a malformed or missing token is refused without a lookup', async (t) => {
  const { auth, lookups } = setup({});
  t.equal(auth.authenticate(undefined, () => 'x'), undefined);
  t.equal(auth.authenticate('short', () => 'x'), undefined);
  t.equal(auth.authenticate(`${newToken().slice(0, 42)}!`, () => 'x'), undefined);
  t.same(lookups, []);
});

t.test('an unknown token, a disabled user and an expired token are all unauthorized, and nothing slides', async (t) => {
  const disabled = newToken();
  const expired = newToken();
  const { auth, ops } = setup({ [hashToken(disabled)]: row({ disabled: true }), [hashToken(expired)]: row({ expiresAt: NOW }) });
  t.equal(auth.authenticate(newToken(), () => 'x'), undefined, 'unknown (or revoked: the store answers live tokens only)');
  t.equal(auth.authenticate(disabled, () => 'x'), undefined, 'disabled user');
  t.equal(auth.authenticate(expired, () => 'x'), undefined, 'expired at this very moment');
  t.same(ops, []);
});

t.test('every accepted use slides the expiry the same way, at most once an hour per token', async (t) => {
  const stale = newToken();
  const fresh = newToken();
  const { auth, ops } = setup({ [hashToken(stale)]: row(), [hashToken(fresh)]: row({ lastUsedAt: NOW - 60_000 }) });
  auth.authenticate(stale, () => '10.0.0.2');
  const asked: string[] = [];
  auth.authenticate(stale, () => (asked.push('in flight'), '10.0.0.3'));
  auth.authenticate(fresh, () => (asked.push('fresh'), '10.0.0.2'));
  t.same(asked, [], 'the address is asked only for a use that is recorded');
  t.same(ops, [{ k: 'touch', hash: hashToken(stale), usedAt: NOW, expiresAt: NOW + 30 * DAY, ip: '10.0.0.2' }],
    'one touch for the token last used two hours ago, none while it is in flight, none for one used a minute ago');
});

t.test('a read that allows it uses a row read in the last seconds; other reads, and later ones, ask the store', async (t) => {
  const token = newToken();
  const hash = hashToken(token);
  const rows: Record<string, SessionRow> = { [hash]: row({ lastUsedAt: NOW }) };
  const lookups: string[] = [];
  let now = NOW;
  const refresher = { used: () => false };
  const auth = new Authenticator({ session: (h) => { lookups.push(h); return rows[h]; } }, refresher, () => now, new SessionCache(5000, 100));
  t.ok(auth.authenticate(token, () => '', true));
  t.ok(auth.authenticate(token, () => '', true));
  t.equal(lookups.length, 1, 'the second read used the first one\'s row');
  t.ok(auth.authenticate(token, () => ''));
  t.equal(lookups.length, 2, 'a read that does not allow it asks the store');
  now += 5000;
  t.ok(auth.authenticate(token, () => '', true));
  t.equal(lookups.length, 3, 'five seconds on, the row is read again');
  // Revoked in the store: a remembered row is still used until it is forgotten or its time is up.
  delete rows[hash];
  t.ok(auth.authenticate(token, () => '', true), 'remembered');
  auth.forget([hash]);
  t.equal(auth.authenticate(token, () => '', true), undefined, 'forgotten (the server ended the session itself): refused at once');
});

t.test('forgetting everything, or a store read that finds the token gone, ends what was remembered', async (t) => {
  const token = newToken();
  const hash = hashToken(token);
  const rows: Record<string, SessionRow> = { [hash]: row({ lastUsedAt: NOW }) };
  const auth = new Authenticator({ session: (h) => rows[h] }, { used: () => false }, () => NOW, new SessionCache(5000, 100));
  t.ok(auth.authenticate(token, () => '', true));
  delete rows[hash];
  auth.forgetAll();
  t.equal(auth.authenticate(token, () => '', true), undefined, 'the CLI disabled the user: everything is read again');
  rows[hash] = row({ lastUsedAt: NOW });
  t.ok(auth.authenticate(token, () => '', true));
  delete rows[hash];
  t.equal(auth.authenticate(token, () => ''), undefined, 'a plain read sees it revoked…');
  t.equal(auth.authenticate(token, () => '', true), undefined, '…and the remembered row is gone with it');
  rows[hash] = row({ lastUsedAt: NOW, disabled: true });
  t.equal(auth.authenticate(token, () => '', true), undefined, 'a disabled user\'s row is never remembered');
});
