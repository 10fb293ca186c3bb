import type { Statement } from 'better-sqlite3';
import type { LoginRow, SessionListRow } from '../../auth/accounts.js';
import type { SessionRow, SessionStore } from '../../auth/sessions.js';
import type { PublicProfile } from '../../protocol/frames.js';
import { AVATAR_ROOM } from '../files/avatar-files.js';
import type { Db } from '../db/database.js';

/** SQLite returns each row's role as a new string; these are shared. */
const ROLES = { admin: 'admin', member: 'member', bot: 'bot' } as const;

interface RawSession { userId: number; name: string; role: 'admin' | 'member' | 'bot'; disabled: number; expiresAt: number; lastUsedAt: number; deviceId: string | null }
interface RawProfile { id: number; name: string; display_name: string; avatar: string | null; kind: string }
interface AvatarUse { room: number; join_rule: 'invite' | 'public' }
/** An avatar upload, for its download. */
export interface AvatarRow { id: string; uploader_id: number; sha256: Buffer }
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
  private readonly profileOf: Statement<[number], RawProfile>;
  private readonly avatarFile: Statement<[string], AvatarRow>;
  private readonly userWithAvatar: Statement<[string], { one: number }>;
  private readonly roomsWithAvatar: Statement<[string], AvatarUse>;

  constructor(readonly db: Db) {
    this.byHash = db.prepare(`
      SELECT u.id AS userId, u.name, CASE WHEN u.kind = 'bot' THEN 'bot' ELSE u.role END AS role, u.disabled, t.expires_at AS expiresAt, coalesce(t.last_used_at, t.created_at) AS lastUsedAt, t.device_id AS deviceId
      FROM tokens t JOIN users u ON u.id = t.user_id
      WHERE t.hash = ? AND t.revoked_at IS NULL`);
    this.byName = db.prepare('SELECT id, name, role, password_hash, disabled FROM users WHERE name = ?');
    this.hashOf = db.prepare('SELECT password_hash FROM users WHERE id = ?');
    this.liveOf = db.prepare(`
      SELECT hash, device, CASE WHEN last_ip != '' THEN last_ip ELSE client_ip END AS ip, created_at AS createdAt, last_used_at AS lastUsedAt
      FROM tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC`);
    this.profileOf = db.prepare('SELECT id, name, display_name, avatar, kind FROM users WHERE id = ? AND disabled = 0');
    this.avatarFile = db.prepare(`SELECT id, uploader_id, sha256 FROM files WHERE id = ? AND room_id = ${AVATAR_ROOM} AND thumb = 1`);
    // No index on users.avatar or rooms.avatar: both tables are the size of one LAN's people and
    // rooms, and an avatar is fetched once per client and cached (private, a day) after that.
    this.userWithAvatar = db.prepare('SELECT 1 AS one FROM users WHERE avatar = ? AND disabled = 0 LIMIT 1');
    this.roomsWithAvatar = db.prepare('SELECT id AS room, join_rule FROM rooms WHERE avatar = ?');
  }

  session(tokenHash: string): SessionRow | undefined {
    const r = this.byHash.get(Buffer.from(tokenHash, 'hex'));
    if (r === undefined) return undefined;
    // One literal of every field: spreads left each row an extra property array, and the Matrix
    // door's session cache keeps a row per client for up to a minute.
    return {
      userId: r.userId, name: r.name, role: ROLES[r.role] ?? r.role, disabled: r.disabled !== 0, expiresAt: r.expiresAt, lastUsedAt: r.lastUsedAt,
      deviceId: r.deviceId ?? undefined,
    };
  }

  loginRow(name: string): LoginRow | undefined {
    return this.byName.get(name);
  }

  passwordHash(user: number): string | undefined {
    return this.hashOf.get(user)?.password_hash;
  }

  /** An enabled user's public profile; undefined for an unknown or disabled one. */
  profile(user: number): PublicProfile | undefined {
    const r = this.profileOf.get(user);
    if (r === undefined) return undefined;
    return { user: String(r.id), name: r.name, displayName: r.display_name, ...(r.avatar === null ? {} : { avatar: r.avatar }), ...(r.kind === 'bot' ? { bot: true as const } : {}) };
  }

  avatar(fileId: string): AvatarRow | undefined {
    return this.avatarFile.get(fileId);
  }

  /** Whether an enabled user shows this avatar, and which rooms (with their join rule) do. */
  avatarUse(fileId: string): { byUser: boolean; rooms: Array<{ room: number; public: boolean }> } {
    return {
      byUser: this.userWithAvatar.get(fileId) !== undefined,
      rooms: this.roomsWithAvatar.all(fileId).map((r) => ({ room: r.room, public: r.join_rule === 'public' })),
    };
  }

  liveSessions(user: number, now: number): SessionListRow[] {
    return this.liveOf.all(user, now).map((r) => ({ ...r, hash: r.hash.toString('hex') }));
  }
}
