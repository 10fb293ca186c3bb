import type { Statement } from 'better-sqlite3';
import type { LoginRow, SessionListRow } from '../../auth/accounts.js';
import type { SessionRow, SessionStore } from '../../auth/sessions.js';
import type { Db } from '../db/database.js';

interface RawSession { userId: number; name: string; role: 'admin' | 'member'; disabled: number; expiresAt: number; lastUsedAt: number }
interface RawListed { hash: Buffer; device: string; ip: string; createdAt: number; lastUsedAt: number | null }

/**
 * Reads of accounts on the event loop's read-only connection: tokens by
 * their hash (primary key), a user's own tokens (tokens_by_user), users by
 * name (unique) or id. Each is an indexed lookup.
 */
export class AccountReader implements SessionStore {
  private readonly byHash: Statement<[Buffer], RawSession>;
  private readonly byName: Statement<[string], LoginRow>;
  private readonly hashOf: Statement<[number], { password_hash: string }>;
  private readonly liveOf: Statement<[number, number], RawListed>;

  constructor(readonly db: Db) {
    this.byHash = db.prepare(`
      SELECT u.id AS userId, u.name, u.role, u.disabled, t.expires_at AS expiresAt, coalesce(t.last_used_at, t.created_at) AS lastUsedAt
      FROM tokens t JOIN users u ON u.id = t.user_id
      WHERE t.hash = ? AND t.revoked_at IS NULL`);
    this.byName = db.prepare('SELECT id, name, role, password_hash, disabled FROM users WHERE name = ?');
    this.hashOf = db.prepare('SELECT password_hash FROM users WHERE id = ?');
    this.liveOf = db.prepare(`
      SELECT hash, device, CASE WHEN last_ip != '' THEN last_ip ELSE client_ip END AS ip, created_at AS createdAt, last_used_at AS lastUsedAt
      FROM tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC`);
  }

  session(tokenHash: string): SessionRow | undefined {
    const r = this.byHash.get(Buffer.from(tokenHash, 'hex'));
    return r === undefined ? undefined : { ...r, disabled: r.disabled !== 0 };
  }

  loginRow(name: string): LoginRow | undefined {
    return this.byName.get(name);
  }

  passwordHash(user: number): string | undefined {
    return this.hashOf.get(user)?.password_hash;
  }

  liveSessions(user: number, now: number): SessionListRow[] {
    return this.liveOf.all(user, now).map((r) => ({ ...r, hash: r.hash.toString('hex') }));
  }
}
