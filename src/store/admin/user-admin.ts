import { RoostError } from '../../protocol/errors.js';
import { appendAudit, cliActor, type Actor } from '../history/audit.js';
import type { Db } from '../db/database.js';
import { findUser, keepAnAdmin, type Role, type UserRow } from './admin.js';

/**
 * The account changes `user disable` undoes or that only the admin page and
 * `user role` make, written like admin.ts's: one transaction with the audit
 * entry, the actor named.
 */

/** Lets a disabled user sign in again. Their old tokens stay revoked: they sign in afresh. */
export function enableUser(db: Db, name: string, actor: Actor = cliActor()): UserRow {
  const user = findUser(db, name);
  db.transaction(() => {
    db.prepare('UPDATE users SET disabled = 0 WHERE id = ?').run(user.id);
    appendAudit(db, actor, 'user.enable', { user: user.name, id: user.id, changed: user.disabled !== 0 });
  }).immediate();
  return findUser(db, name);
}

/** Makes a user an admin or a member. The last enabled admin stays one, so the server is never left unrun. */
export function setUserRole(db: Db, name: string, role: Role, actor: Actor = cliActor()): UserRow {
  if (role !== 'admin' && role !== 'member') throw new RoostError('bad_request', 'a role is "admin" or "member"');
  const user = findUser(db, name);
  db.transaction(() => {
    if (role !== 'admin') keepAnAdmin(db, user, 'making them a member');
    db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, user.id);
    appendAudit(db, actor, 'user.role', { user: user.name, id: user.id, role, changed: user.role !== role });
  }).immediate();
  return findUser(db, name);
}
