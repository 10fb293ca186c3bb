import { cleanDisplayName } from '../../auth/display-name.js';
import { RoostError } from '../../protocol/errors.js';
import { appendAudit, cliActor, type Actor } from '../history/audit.js';
import type { Db } from '../db/database.js';

/**
 * Administrative changes made by the CLI on its own connection, each in one
 * transaction that also appends to the `events` feed, which a running
 * server follows to update its membership cache and sockets within a second.
 * Each change is also recorded in the audit log, in the same transaction, with
 * its actor (the CLI's user by default; the HTTP admin API passes its user).
 */

export type Role = 'admin' | 'member';

export interface UserRow { id: number; name: string; role: Role; disabled: number; created_at: number }
export interface RoomRow { id: number; name: string; kind: 'group' | 'direct'; last_seq: number; created_at: number; members: string }

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/i;

export function validateUserName(name: string): string {
  if (!USER_NAME.test(name)) {
    throw new RoostError('bad_request', `invalid user name "${name}": 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return name;
}

export function validateRoomName(name: string): string {
  const trimmed = name.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed.length === 0 || trimmed.length > 64 || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new RoostError('bad_request', `invalid room name "${name}": 1-64 characters, no control characters`);
  }
  return trimmed;
}

function event(db: Db, kind: string, room: number | null, user: number | null): void {
  db.prepare('INSERT INTO events (kind, room_id, user_id, ts) VALUES (?, ?, ?, ?)').run(kind, room, user, Date.now());
}

export function findUser(db: Db, name: string): UserRow {
  const row = db.prepare('SELECT id, name, role, disabled, created_at FROM users WHERE name = ?').get(name) as UserRow | undefined;
  if (row === undefined) throw new RoostError('not_found', `no user named "${name}"`);
  return row;
}

export function countUsers(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
}

export function addUser(db: Db, name: string, role: Role, passwordHash: string, actor: Actor = cliActor()): UserRow {
  validateUserName(name);
  const existing = db.prepare('SELECT 1 FROM users WHERE name = ?').get(name);
  if (existing !== undefined) throw new RoostError('conflict', `a user named "${name}" already exists`);
  db.transaction(() => {
    const info = db.prepare('INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, passwordHash, Date.now());
    appendAudit(db, actor, 'user.add', { user: name, id: Number(info.lastInsertRowid), role });
  }).immediate();
  return findUser(db, name);
}

export function listUsers(db: Db): UserRow[] {
  return db.prepare('SELECT id, name, role, disabled, created_at FROM users ORDER BY name').all() as UserRow[];
}

export function setPassword(db: Db, name: string, passwordHash: string, actor: Actor = cliActor()): void {
  const user = findUser(db, name);
  db.transaction(() => {
    db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, user.id);
    appendAudit(db, actor, 'user.passwd', { user: user.name, id: user.id });
  }).immediate();
}

/** Disables the account and revokes every token; the server closes its sockets. */
export function disableUser(db: Db, name: string, actor: Actor = cliActor()): UserRow {
  const user = findUser(db, name);
  db.transaction(() => {
    db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(user.id);
    const revoked = db.prepare('UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(Date.now(), user.id);
    event(db, 'user_disabled', null, user.id);
    appendAudit(db, actor, 'user.disable', { user: user.name, id: user.id, tokensRevoked: revoked.changes });
  }).immediate();
  return findUser(db, name);
}

/** Lets a disabled user sign in again (their old tokens stay revoked). */
export function enableUser(db: Db, name: string, actor: Actor = cliActor()): UserRow {
  const user = findUser(db, name);
  db.transaction(() => {
    db.prepare('UPDATE users SET disabled = 0 WHERE id = ?').run(user.id);
    appendAudit(db, actor, 'user.enable', { user: user.name, id: user.id, changed: user.disabled !== 0 });
  }).immediate();
  return findUser(db, name);
}

/** The server role; it applies to the user's next request (roles are read with the token, never cached). */
export function setRole(db: Db, name: string, role: Role, actor: Actor = cliActor()): UserRow {
  if (role !== 'admin' && role !== 'member') throw new RoostError('bad_request', `invalid role "${String(role)}": admin or member`);
  const user = findUser(db, name);
  db.transaction(() => {
    db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, user.id);
    appendAudit(db, actor, 'user.role', { user: user.name, id: user.id, from: user.role, to: role });
  }).immediate();
  return findUser(db, name);
}

/** Sets (or with '' clears) the name shown for a user, cleaned as `set_profile` cleans it; answers what was stored. */
export function setDisplayName(db: Db, name: string, displayName: string, actor: Actor = cliActor()): string {
  const cleaned = cleanDisplayName(displayName);
  if (!cleaned.ok) throw new RoostError('bad_request', cleaned.message);
  const user = findUser(db, name);
  db.transaction(() => {
    db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(cleaned.value, user.id);
    appendAudit(db, actor, 'user.profile', { user: user.name, id: user.id, displayName: cleaned.value });
  }).immediate();
  return cleaned.value;
}

export function profileOf(db: Db, name: string): { displayName: string; avatar: string | null } {
  const user = findUser(db, name);
  const row = db.prepare('SELECT display_name, avatar FROM users WHERE id = ?').get(user.id) as { display_name: string; avatar: string | null };
  return { displayName: row.display_name, avatar: row.avatar };
}

/** Accepts a room's id or (group) name. */
export function findRoom(db: Db, nameOrId: string): RoomRow {
  const select = `SELECT r.id, r.name, r.kind, r.last_seq, r.created_at,
      coalesce((SELECT group_concat(u.name, ',') FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = r.id), '') AS members
    FROM rooms r`;
  const byId = /^\d+$/.test(nameOrId) ? (db.prepare(`${select} WHERE r.id = ?`).get(Number(nameOrId)) as RoomRow | undefined) : undefined;
  const row = byId ?? (db.prepare(`${select} WHERE r.name = ? COLLATE NOCASE AND r.kind = 'group'`).get(nameOrId) as RoomRow | undefined);
  if (row === undefined) throw new RoostError('not_found', `no room "${nameOrId}"`);
  return row;
}

export function listRooms(db: Db): RoomRow[] {
  return db.prepare(`SELECT r.id, r.name, r.kind, r.last_seq, r.created_at,
      coalesce((SELECT group_concat(u.name, ',') FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = r.id), '') AS members
    FROM rooms r ORDER BY r.id`).all() as RoomRow[];
}

function insertMember(db: Db, room: number, user: number): boolean {
  const info = db.prepare('INSERT OR IGNORE INTO members (room_id, user_id, joined_at) VALUES (?, ?, ?)').run(room, user, Date.now());
  if (info.changes > 0) event(db, 'member_added', room, user);
  return info.changes > 0;
}

export function createRoom(db: Db, name: string, memberNames: readonly string[], actor: Actor = cliActor()): RoomRow {
  const roomName = validateRoomName(name);
  const users = memberNames.map((m) => findUser(db, m));
  const taken = db.prepare("SELECT 1 FROM rooms WHERE name = ? COLLATE NOCASE AND kind = 'group'").get(roomName);
  if (taken !== undefined) throw new RoostError('conflict', `a room named "${roomName}" already exists`);
  const id = db.transaction(() => {
    const info = db.prepare("INSERT INTO rooms (name, kind, created_at) VALUES (?, 'group', ?)").run(roomName, Date.now());
    const roomId = Number(info.lastInsertRowid);
    event(db, 'room_created', roomId, null);
    for (const u of users) insertMember(db, roomId, u.id);
    appendAudit(db, actor, 'room.create', { room: roomName, id: roomId, members: users.map((u) => u.name) });
    return roomId;
  }).immediate();
  return findRoom(db, String(id));
}

export function addMember(db: Db, roomNameOrId: string, userName: string, actor: Actor = cliActor()): boolean {
  const room = findRoom(db, roomNameOrId);
  if (room.kind === 'direct') throw new RoostError('conflict', 'a direct room has exactly its two people');
  const user = findUser(db, userName);
  return db.transaction(() => {
    const added = insertMember(db, room.id, user.id);
    appendAudit(db, actor, 'room.add', { room: room.name, id: room.id, user: user.name, changed: added });
    return added;
  }).immediate();
}

export function removeMember(db: Db, roomNameOrId: string, userName: string, actor: Actor = cliActor()): boolean {
  const room = findRoom(db, roomNameOrId);
  if (room.kind === 'direct') throw new RoostError('conflict', 'a direct room has exactly its two people');
  const user = findUser(db, userName);
  return db.transaction(() => {
    const info = db.prepare('DELETE FROM members WHERE room_id = ? AND user_id = ?').run(room.id, user.id);
    if (info.changes > 0) event(db, 'member_removed', room.id, user.id);
    appendAudit(db, actor, 'room.remove', { room: room.name, id: room.id, user: user.name, changed: info.changes > 0 });
    return info.changes > 0;
  }).immediate();
}

/** The direct room between two people, created the first time it is asked for. */
export function directRoom(db: Db, a: string, b: string, actor: Actor = cliActor()): { room: RoomRow; created: boolean } {
  const ua = findUser(db, a);
  const ub = findUser(db, b);
  if (ua.id === ub.id) throw new RoostError('bad_request', 'a direct room needs two different people');
  const key = ua.id < ub.id ? `${ua.id}:${ub.id}` : `${ub.id}:${ua.id}`;
  return db.transaction(() => {
    const found = db.prepare('SELECT id FROM rooms WHERE direct_key = ?').get(key) as { id: number } | undefined;
    if (found !== undefined) return { room: findRoom(db, String(found.id)), created: false };
    const info = db.prepare("INSERT INTO rooms (name, kind, direct_key, created_at) VALUES (?, 'direct', ?, ?)")
      .run(`${ua.name} & ${ub.name}`, key, Date.now());
    const roomId = Number(info.lastInsertRowid);
    event(db, 'room_created', roomId, null);
    insertMember(db, roomId, ua.id);
    insertMember(db, roomId, ub.id);
    appendAudit(db, actor, 'room.create', { room: `${ua.name} & ${ub.name}`, id: roomId, kind: 'direct', members: [ua.name, ub.name] });
    return { room: findRoom(db, String(roomId)), created: true };
  }).immediate();
}
