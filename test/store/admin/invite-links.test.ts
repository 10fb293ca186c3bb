import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWritable, type Db } from '../../../src/store/db/database.js';
import { addUser, createRoom, directRoom } from '../../../src/store/admin/admin.js';
import { cliActor, listAudit } from '../../../src/store/history/audit.js';
import {
  createInviteLink, listInviteLinks, redeemInviteLink, revokeInviteLink, usableInviteLink,
} from '../../../src/store/admin/invite-links.js';
import { RoostError } from '../../../src/protocol/errors.js';

const SPENT = { code: 'forbidden', reason: 'invite_link_spent' };
const HOUR = 60 * 60 * 1000;
const T0 = 1_800_000_000_000;

function fresh(t: { teardown: (fn: () => void) => void }): { db: Db; admin: number; general: number; garden: number } {
  const dir = mkdtempSync(join(tmpdir(), 'roost-invite-'));
  const db = openWritable(dir);
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const admin = addUser(db, 'root', 'admin', 'x').id;
  addUser(db, 'bob', 'member', 'x');
  return { db, admin, general: createRoom(db, 'general', ['root']).id, garden: createRoom(db, 'garden', []).id };
}

const count = (db: Db, sql: string, ...args: unknown[]): number => (db.prepare(sql).get(...args) as { n: number }).n;

t.test('a link stores only the SHA-256 of its token, which has at least 128 random bits', async (t) => {
  const { db, admin, general } = fresh(t);
  const { token, link } = createInviteLink(db, { createdBy: admin, expiresInHours: 24, maxUses: 1, rooms: ['general'] }, cliActor(), T0);
  t.match(token, /^[A-Za-z0-9_-]{32,}$/, 'base64url, 32 characters = 192 bits');
  const stored = db.prepare('SELECT hash FROM invite_links').get() as { hash: Buffer };
  t.same(stored.hash, createHash('sha256').update(token).digest());
  const everything = JSON.stringify(db.prepare('SELECT * FROM invite_links').all()) + JSON.stringify(listAudit(db, 0));
  t.notOk(everything.includes(token), 'the token is in no row and no audit entry');
  t.same(link.rooms, [general]);
  t.equal(link.expiresAt, T0 + 24 * HOUR);
  t.equal(link.state, 'usable');
  t.equal(link.id, stored.hash.toString('hex').slice(0, 12));
});

t.test('redeeming makes the member, joins the link\'s rooms and uses one use, with audit entries', async (t) => {
  const { db, admin, general, garden } = fresh(t);
  const { token, link } = createInviteLink(db, { createdBy: admin, expiresInHours: 2, maxUses: 2, rooms: ['general', String(garden)], note: 'for the Smiths' }, cliActor(), T0);
  const r = redeemInviteLink(db, { token, name: 'ana', passwordHash: 'h', displayName: '  Ana Smith ' }, T0 + HOUR);
  t.equal(r.user.name, 'ana');
  t.equal(r.user.role, 'member');
  t.same(r.rooms, [general, garden]);
  t.equal(count(db, 'SELECT count(*) AS n FROM members WHERE user_id = ?', r.user.id), 2);
  t.equal((db.prepare('SELECT display_name AS d FROM users WHERE id = ?').get(r.user.id) as { d: string }).d, 'Ana Smith');
  t.equal(listInviteLinks(db, T0 + HOUR)[0]?.uses, 1);
  const actions = listAudit(db, 0).map((e) => `${e.action}:${e.actorName}`);
  t.ok(actions.includes('invite.create:' + cliActor().name));
  t.ok(actions.includes('invite.redeem:ana'));
  const redeem = listAudit(db, 0).find((e) => e.action === 'invite.redeem');
  t.same(redeem?.details, { id: link.id, user: 'ana', userId: r.user.id, rooms: [String(general), String(garden)] });
});

t.test('a link is refused once its uses are spent, after it expires (injected clock), and once revoked', async (t) => {
  const { db, admin } = fresh(t);
  const one = createInviteLink(db, { createdBy: admin, expiresInHours: 1, maxUses: 1, rooms: [] }, cliActor(), T0);
  redeemInviteLink(db, { token: one.token, name: 'first', passwordHash: 'h' }, T0);
  t.throws(() => redeemInviteLink(db, { token: one.token, name: 'second', passwordHash: 'h' }, T0), SPENT, 'used up');
  t.equal(listInviteLinks(db, T0)[0]?.state, 'spent');

  const timed = createInviteLink(db, { createdBy: admin, expiresInHours: 1, maxUses: 5, rooms: [] }, cliActor(), T0);
  t.doesNotThrow(() => usableInviteLink(db, timed.token, T0 + HOUR - 1), 'usable until the last millisecond');
  t.throws(() => redeemInviteLink(db, { token: timed.token, name: 'late', passwordHash: 'h' }, T0 + HOUR), SPENT, 'expired');

  const revoked = createInviteLink(db, { createdBy: admin, expiresInHours: 1, maxUses: 5, rooms: [] }, cliActor(), T0);
  t.equal(revokeInviteLink(db, revoked.link.id, cliActor(), T0), true);
  t.equal(revokeInviteLink(db, revoked.link.id, cliActor(), T0), false, 'a second revoke changes nothing');
  t.throws(() => redeemInviteLink(db, { token: revoked.token, name: 'nope', passwordHash: 'h' }, T0), SPENT, 'revoked');
  t.throws(() => usableInviteLink(db, 'A'.repeat(32), T0), SPENT, 'unknown');
  t.throws(() => usableInviteLink(db, 'short', T0), SPENT, 'malformed');
  t.equal(count(db, "SELECT count(*) AS n FROM users WHERE name IN ('second', 'late', 'nope')"), 0);
  t.equal(count(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'invite.revoke'"), 1);
});

t.test('a refused name or display name leaves nothing half-made and the use unspent', async (t) => {
  const { db, admin } = fresh(t);
  const { token } = createInviteLink(db, { createdBy: admin, expiresInHours: 1, maxUses: 1, rooms: ['general'] }, cliActor(), T0);
  const users = count(db, 'SELECT count(*) AS n FROM users');
  const audit = count(db, 'SELECT count(*) AS n FROM audit_log');
  const members = count(db, 'SELECT count(*) AS n FROM members');
  t.throws(() => redeemInviteLink(db, { token, name: 'bob', passwordHash: 'h' }, T0), { code: 'conflict' }, 'a taken name');
  t.throws(() => redeemInviteLink(db, { token, name: 'no spaces', passwordHash: 'h' }, T0), { code: 'bad_request' });
  t.throws(() => redeemInviteLink(db, { token, name: 'eve', passwordHash: 'h', displayName: 'evil\u202Etxt' }, T0), { code: 'bad_request' });
  t.equal(count(db, 'SELECT count(*) AS n FROM users'), users);
  t.equal(count(db, 'SELECT count(*) AS n FROM audit_log'), audit);
  t.equal(count(db, 'SELECT count(*) AS n FROM members'), members);
  t.equal(listInviteLinks(db, T0)[0]?.uses, 0);
  t.doesNotThrow(() => redeemInviteLink(db, { token, name: 'eve', passwordHash: 'h' }, T0), 'the link still works');
});

t.test('a link\'s limits and rooms are checked when it is made', async (t) => {
  const { db, admin } = fresh(t);
  const make = (spec: Partial<Parameters<typeof createInviteLink>[1]>): unknown =>
    createInviteLink(db, { createdBy: admin, expiresInHours: 1, maxUses: 1, rooms: [], ...spec }, cliActor(), T0);
  t.throws(() => make({ maxUses: 0 }), { code: 'bad_request' });
  t.throws(() => make({ maxUses: 1.5 }), { code: 'bad_request' });
  t.throws(() => make({ expiresInHours: 0 }), { code: 'bad_request' });
  t.throws(() => make({ rooms: ['nowhere'] }), { code: 'not_found' });
  const dm = directRoom(db, 'root', 'bob').room.id;
  t.throws(() => make({ rooms: [String(dm)] }), { code: 'conflict' }, 'direct rooms cannot be joined by link');
  t.throws(() => make({ note: 'a\nb' }), RoostError);
  t.equal(count(db, 'SELECT count(*) AS n FROM invite_links'), 0);
  t.throws(() => revokeInviteLink(db, 'zz', cliActor(), T0), { code: 'bad_request' });
  t.throws(() => revokeInviteLink(db, '0123456789ab', cliActor(), T0), { code: 'not_found' });
});
