import type { Db } from '../db/database.js';
import { findUser } from './admin.js';

/** One token as `roost user tokens` shows it. The id is a prefix of the token's SHA-256, never the token. */
export interface TokenRow {
  id: string;
  createdAt: number;
  lastUsedAt: number | null;
  loginIp: string;
  lastIp: string;
  expiresAt: number;
  revokedAt: number | null;
}

interface RawTokenRow { hash: Buffer; created_at: number; last_used_at: number | null; client_ip: string; last_ip: string; expires_at: number; revoked_at: number | null }

/** A user's tokens, newest first; `all` includes revoked and expired ones. */
export function listTokens(db: Db, userName: string, now: number, all = false): TokenRow[] {
  const user = findUser(db, userName);
  const rows = db.prepare(`SELECT hash, created_at, last_used_at, client_ip, last_ip, expires_at, revoked_at
    FROM tokens WHERE user_id = ? ${all ? '' : 'AND revoked_at IS NULL AND expires_at > ?'} ORDER BY created_at DESC`)
    .all(...(all ? [user.id] : [user.id, now])) as RawTokenRow[];
  return rows.map((r) => ({
    id: r.hash.toString('hex').slice(0, 12),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    loginIp: r.client_ip,
    lastIp: r.last_ip,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  }));
}

/**
 * Revokes every live token of a user and appends `tokens_revoked`, which a
 * running server follows to close the user's sockets within a second.
 */
export function revokeAllTokens(db: Db, userName: string, now: number): number {
  const user = findUser(db, userName);
  return db.transaction(() => {
    const info = db.prepare('UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(now, user.id);
    db.prepare("INSERT INTO events (kind, room_id, user_id, ts) VALUES ('tokens_revoked', NULL, ?, ?)").run(user.id, now);
    return info.changes;
  }).immediate();
}
