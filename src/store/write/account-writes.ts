import type { FileRules } from './room-rules.js';
import type { Statement } from 'better-sqlite3';
import { apiActor, appendAudit } from '../history/audit.js';
import type { Db } from '../db/database.js';
import { AvatarRefs } from '../files/avatar-files.js';
import type { AccountOp, SessionsEnded } from './account-ops.js';
import type { Done, WriteFailed } from './write-ops.js';

/**
 * The writer thread's side of what people change of their own account:
 * their password (and with it, optionally, every other session), their
 * sessions, their profile. Each change of a password is in the audit log,
 * like the CLI's, with the user as its actor.
 */
export class AccountWrites {
  private readonly user: Statement<[number], { name: string; password_hash: string }>;
  private readonly setHash: Statement<[string, number, string]>;
  private readonly liveTokens: Statement<[number], { hash: Buffer }>;
  private readonly revoke: Statement<[number, Buffer, number]>;
  private readonly avatarOf: Statement<[number], { avatar: string | null }>;
  private readonly setAvatar: Statement<[string | null, number]>;
  private readonly setDisplayName: Statement<[string, number]>;
  private readonly avatars: AvatarRefs;

  constructor(private readonly db: Db, rules?: Pick<FileRules, 'mayUseAsAvatar'>) {
    this.user = db.prepare('SELECT name, password_hash FROM users WHERE id = ?');
    this.setHash = db.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?');
    this.liveTokens = db.prepare('SELECT hash FROM tokens WHERE user_id = ? AND revoked_at IS NULL');
    this.revoke = db.prepare('UPDATE tokens SET revoked_at = ? WHERE hash = ? AND user_id = ? AND revoked_at IS NULL');
    this.avatarOf = db.prepare('SELECT avatar FROM users WHERE id = ?');
    this.setAvatar = db.prepare('UPDATE users SET avatar = ? WHERE id = ?');
    this.setDisplayName = db.prepare('UPDATE users SET display_name = ? WHERE id = ?');
    this.avatars = new AvatarRefs(db, rules);
  }

  apply(op: AccountOp, now: number): SessionsEnded | Done | WriteFailed {
    switch (op.k) {
      case 'password': return this.password(op, now);
      case 'end-sessions': return { ok: true, ended: this.end(op.user, op.hashes, op.keep, now) };
      case 'profile': return this.profile(op);
    }
  }

  private password(op: Extract<AccountOp, { k: 'password' }>, now: number): SessionsEnded | WriteFailed {
    const user = this.user.get(op.user);
    if (user === undefined) return { ok: false, code: 'not_found', message: 'no such user' };
    if (this.setHash.run(op.hash, op.user, op.old).changes === 0) {
      return { ok: false, code: 'conflict', message: 'the password was changed meanwhile; nothing was changed' };
    }
    const ended = op.revokeOthers ? this.end(op.user, undefined, op.keep, now) : [];
    appendAudit(this.db, apiActor(user.name), 'user.passwd', { user: user.name, id: op.user, sessionsEnded: ended.length });
    return { ok: true, ended };
  }

  private profile(op: Extract<AccountOp, { k: 'profile' }>): Done | WriteFailed {
    const row = this.avatarOf.get(op.user);
    if (row === undefined) return { ok: false, code: 'not_found', message: 'no such user' };
    if (op.avatar !== undefined) {
      const refused = this.avatars.swap(row.avatar, op.avatar, op.user);
      if (refused !== undefined) return refused;
      this.setAvatar.run(op.avatar, op.user);
    }
    if (op.displayName !== undefined) this.setDisplayName.run(op.displayName, op.user);
    return { ok: true };
  }

  /** Revokes the user's live tokens named in `hashes` (all when absent) but `keep`; answers those it revoked. */
  private end(user: number, hashes: readonly string[] | undefined, keep: string | undefined, now: number): string[] {
    const targets = hashes ?? this.liveTokens.all(user).map((r) => r.hash.toString('hex'));
    const ended: string[] = [];
    for (const hash of targets) {
      if (hash === keep) continue;
      if (this.revoke.run(now, Buffer.from(hash, 'hex'), user).changes > 0) ended.push(hash);
    }
    return ended;
  }
}
