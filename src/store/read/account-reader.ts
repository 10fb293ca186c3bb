import type { Statement } from 'better-sqlite3';
import type { SessionRow, SessionStore } from '../../auth/sessions.js';
import type { Db } from '../db/database.js';

interface RawSession { userId: number; name: string; role: 'admin' | 'member'; disabled: number; expiresAt: number; lastUsedAt: number }

/**
 * Reads of accounts on the event loop's read-only connection: tokens by
 * their hash (primary key), a user's own tokens (tokens_by_user), profiles
 * by user id. Each is an indexed lookup.
 */
export class AccountReader implements SessionStore {
  private readonly byHash: Statement<[Buffer], RawSession>;

  constructor(readonly db: Db) {
    this.byHash = db.prepare(`
      SELECT u.id AS userId, u.name, u.role, u.disabled, t.expires_at AS expiresAt, coalesce(t.last_used_at, t.created_at) AS lastUsedAt
      FROM tokens t JOIN users u ON u.id = t.user_id
      WHERE t.hash = ? AND t.revoked_at IS NULL`);
  }

  session(tokenHash: string): SessionRow | undefined {
    const r = this.byHash.get(Buffer.from(tokenHash, 'hex'));
    return r === undefined ? undefined : { ...r, disabled: r.disabled !== 0 };
  }
}
