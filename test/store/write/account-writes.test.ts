import t from 'tap';
import { AVATAR_ROOM } from '../../../src/store/files/avatar-files.js';
import type { GcDone, WriteResult } from '../../../src/store/write/write-ops.js';
import type { SessionsEnded } from '../../../src/store/write/account-ops.js';
import { historyFixture } from '../history-fixture.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

function avatarOp(id: string, user: number, sha: string) {
  return { k: 'file' as const, file: { id, room: AVATAR_ROOM, user, sha256: sha, size: 10, mime: 'image/png', name: 'avatar', width: 1, height: 1, thumb: true }, quota: 0 };
}

const ended = (r: WriteResult | undefined): string[] => {
  if (r === undefined || !r.ok || !('ended' in r)) throw new Error(`not a sessions result: ${JSON.stringify(r)}`);
  return (r as SessionsEnded).ended;
};

t.test('an avatar in use is not collected as an orphan; once replaced, it is', async (t) => {
  const f = historyFixture(t);
  const { alice } = f.users;
  f.apply([avatarOp('A1', alice, 'a1'.repeat(32)), avatarOp('A2', alice, 'a2'.repeat(32))], T0);
  t.match(f.apply([{ k: 'profile', user: alice, avatar: 'A1', displayName: '王芳' }], T0)[0], { ok: true });
  const refs = (id: string): number | undefined => (f.db.prepare('SELECT refs FROM files WHERE id = ?').get(id) as { refs: number } | undefined)?.refs;
  t.equal(refs('A1'), 1);
  t.match(f.db.prepare('SELECT display_name, avatar FROM users WHERE id = ?').get(alice), { display_name: '王芳', avatar: 'A1' });
  const gc = f.apply([{ k: 'gc-files', unpostedBefore: T0 + 2 * DAY, max: 500 }], T0 + 2 * DAY)[0] as GcDone;
  t.equal(gc.removed, 1, 'the unused upload (A2) is collected');
  t.equal(refs('A1'), 1, 'the avatar in use is kept');
  f.apply([avatarOp('A3', alice, 'a3'.repeat(32))], T0 + 2 * DAY);
  f.apply([{ k: 'profile', user: alice, avatar: 'A3' }], T0 + 2 * DAY);
  t.equal(refs('A1'), 0, 'the replaced avatar lost its reference');
  t.equal(refs('A3'), 1);
  const later = f.apply([{ k: 'gc-files', unpostedBefore: T0 + 2 * DAY, max: 500 }], T0 + 3 * DAY)[0] as GcDone;
  t.same(later.freed, ['a1'.repeat(32)], 'and is collected');
  f.apply([{ k: 'profile', user: alice, avatar: null }], T0 + 3 * DAY);
  t.equal(refs('A3'), 0, 'clearing the avatar releases it too');
  t.match(f.db.prepare('SELECT display_name, avatar FROM users WHERE id = ?').get(alice), { display_name: '王芳', avatar: null }, 'an absent field stays');
});

t.test('only an avatar upload of one\'s own can be one\'s avatar; a refusal changes nothing', async (t) => {
  const f = historyFixture(t);
  const { alice, bob } = f.users;
  f.apply([avatarOp('BOBS', bob, 'b0'.repeat(32))], T0);
  f.apply([{ k: 'file', file: { id: 'MSG', room: f.rooms.general, user: alice, sha256: 'c0'.repeat(32), size: 1, mime: 'image/png', name: 'x.png', thumb: true }, quota: 0 }], T0);
  for (const avatar of ['BOBS', 'MSG', 'NOPE']) {
    t.match(f.apply([{ k: 'profile', user: alice, avatar, displayName: 'Alice' }], T0)[0], { ok: false, code: 'not_found' }, avatar);
  }
  t.match(f.db.prepare('SELECT display_name, avatar FROM users WHERE id = ?').get(alice), { display_name: '', avatar: null });
  t.equal((f.db.prepare("SELECT refs FROM files WHERE id = 'BOBS'").get() as { refs: number }).refs, 0);
});

t.test('a password change applies only over the hash it was checked against, and can end the other sessions', async (t) => {
  const f = historyFixture(t);
  const { alice, bob } = f.users;
  const old = (f.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(alice) as { password_hash: string }).password_hash;
  const tok = (n: number): string => n.toString(16).padStart(64, '0');
  f.apply([1, 2, 3].map((n) => ({ k: 'token' as const, hash: tok(n), user: alice, expiresAt: T0 + DAY, ip: '', device: `d${n}` })), T0);
  f.apply([{ k: 'token', hash: tok(9), user: bob, expiresAt: T0 + DAY, ip: '' }], T0);
  t.match(f.apply([{ k: 'password', user: alice, old: 'not the stored hash', hash: 'new', keep: tok(1), revokeOthers: true }], T0)[0], { ok: false, code: 'conflict' });
  t.same(ended(f.apply([{ k: 'password', user: alice, old, hash: 'new', keep: tok(1), revokeOthers: true }], T0)[0]).sort(), [tok(2), tok(3)]);
  const live = f.db.prepare('SELECT hex(hash) AS h FROM tokens WHERE revoked_at IS NULL ORDER BY h').all() as Array<{ h: string }>;
  t.same(live.map((r) => r.h.toLowerCase()), [tok(1), tok(9)], 'the asking session and other users\' stay');
  t.same(ended(f.apply([{ k: 'end-sessions', user: bob, hashes: [tok(1)] }], T0)[0]), [], 'nobody ends another user\'s session');
  t.match(f.db.prepare("SELECT device FROM tokens WHERE device = 'd1'").get(), { device: 'd1' }, 'a login\'s device is stored');
});
