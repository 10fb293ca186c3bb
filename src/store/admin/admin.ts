import { cleanDisplayName } from '../../auth/display-name.js';
import { RoostError } from '../../protocol/errors.js';
import { appendAudit, cliActor, type Actor } from '../history/audit.js';
import type { Db } from '../db/database.js';
import type { RoomEvent, RoomRoleName } from '../../protocol/frames.js';
import { appendRoomEvent } from '../write/room-timeline.js';

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

export function event(db: Db, kind: string, room: number | null, user: number | null): void {
  db.prepare('INSERT INTO events (kind, room_id, user_id, ts) VALUES (?, ?, ?, ?)').run(kind, room, user, Date.now());
}

/**
 * What the CLI and the admin API write for a room change: the timeline entry,
 * and a `room_entry` event so a running server publishes it to the room.
 * For `room_entry`, the event's user_id column holds the entry's seq.
 */
function entry(db: Db, room: number, actor: number, e: RoomEvent): void {
  const row = appendRoomEvent(db, room, actor, e, Date.now());
  event(db, 'room_entry', room, row.seq);
}

/**
 * Who a timeline entry of an admin change is from: the Roost user behind an
 * admin API call, else 0 (the server's operator at the CLI).
 */
function actorUserId(db: Db, actor: Actor): number {
  if (actor.kind !== 'api') return 0;
  return (db.prepare('SELECT id FROM users WHERE name = ?').get(actor.name) as { id: number } | undefined)?.id ?? 0;
}

/** Options of the room functions. `entries: false` seeds rooms without timeline entries (fixtures, imports). */
export interface RoomOptions { owner?: string; entries?: boolean }

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

/** Refuses a change that would leave no enabled admin (one being disabled or made a member): nobody could run the server from its admin page. */
export function keepAnAdmin(db: Db, user: UserRow, change: string): void {
  if (user.role !== 'admin' || user.disabled !== 0) return;
  const others = db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?").get(user.id) as { n: number };
  if (others.n === 0) throw new RoostError('conflict', `${user.name} is the last admin; make someone else admin before ${change}`);
}

/** Disables the account and revokes every token; the server closes its sockets. Never the last enabled admin. */
export function disableUser(db: Db, name: string, actor: Actor = cliActor()): UserRow {
  const user = findUser(db, name);
  db.transaction(() => {
    keepAnAdmin(db, user, 'disabling them');
    db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(user.id);
    const revoked = db.prepare('UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(Date.now(), user.id);
    event(db, 'user_disabled', null, user.id);
    appendAudit(db, actor, 'user.disable', { user: user.name, id: user.id, tokensRevoked: revoked.changes });
  }).immediate();
  return findUser(db, name);
}

/**
 * Sets (or with '' clears) the name shown for a user, cleaned as `set_profile`
 * cleans it, with a `profile_changed` event in the same transaction; answers what was stored.
 */
export function setDisplayName(db: Db, name: string, displayName: string, actor: Actor = cliActor()): string {
  const cleaned = cleanDisplayName(displayName);
  if (!cleaned.ok) throw new RoostError('bad_request', cleaned.message);
  const user = findUser(db, name);
  db.transaction(() => {
    db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(cleaned.value, user.id);
    appendAudit(db, actor, 'user.profile', { user: user.name, id: user.id, displayName: cleaned.value });
    // A running server follows the events feed and pushes the new profile to the user's rooms.
    event(db, 'profile_changed', null, user.id);
  }).immediate();
  return cleaned.value;
}

export function profileOf(db: Db, name: string): { displayName: string; avatar: string | null } {
  const user = findUser(db, name);
  const row = db.prepare('SELECT display_name, avatar FROM users WHERE id = ?').get(user.id) as { display_name: string; avatar: string | null };
  return { displayName: row.display_name, avatar: row.avatar };
}

/**
 * Accepts a room's id, `id:N`, or (group) name. A name that is also another
 * room's id is refused rather than guessed: anyone may name a room "2", and a
 * hold or export must not land on a room the admin did not mean.
 */
export function findRoom(db: Db, nameOrId: string): RoomRow {
  const select = `SELECT r.id, r.name, r.kind, r.last_seq, r.created_at,
      coalesce((SELECT group_concat(u.name, ',') FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = r.id), '') AS members
    FROM rooms r`;
  const forced = /^id:(\d+)$/.exec(nameOrId);
  const idText = forced?.[1] ?? (/^\d+$/.test(nameOrId) ? nameOrId : undefined);
  const byId = idText === undefined ? undefined : (db.prepare(`${select} WHERE r.id = ?`).get(Number(idText)) as RoomRow | undefined);
  const byName = forced !== null ? undefined : (db.prepare(`${select} WHERE r.name = ? COLLATE NOCASE AND r.kind = 'group'`).get(nameOrId) as RoomRow | undefined);
  if (byId !== undefined && byName !== undefined && byId.id !== byName.id) {
    throw new RoostError('conflict', `"${nameOrId}" is room ${byId.id}'s id (${byId.name}) and room ${byName.id}'s name: say id:${byId.id} or id:${byName.id}`);
  }
  const row = byId ?? byName;
  if (row === undefined) throw new RoostError('not_found', `no room "${nameOrId}"`);
  return row;
}

export function listRooms(db: Db): RoomRow[] {
  return db.prepare(`SELECT r.id, r.name, r.kind, r.last_seq, r.created_at,
      coalesce((SELECT group_concat(u.name, ',') FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = r.id), '') AS members
    FROM rooms r ORDER BY r.id`).all() as RoomRow[];
}

/**
 * Joins a user (an admin's doing: no invitation needed, a removal is
 * overridden). With entries, the `joined` entry comes first so joined_seq
 * (the seq before it) lets a `history: joined` member read their own join.
 */
export function insertMember(db: Db, room: number, user: number, role: RoomRoleName, entries: boolean): boolean {
  if (db.prepare('SELECT 1 FROM members WHERE room_id = ? AND user_id = ?').get(room, user) !== undefined) return false;
  const before = (db.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(room) as { last_seq: number }).last_seq;
  let readSeq = 0;
  if (entries) readSeq = appendRoomEvent(db, room, user, { kind: 'joined' }, Date.now()).seq;
  db.prepare('INSERT INTO members (room_id, user_id, joined_at, role, joined_seq, read_seq) VALUES (?, ?, ?, ?, ?, ?)')
    .run(room, user, Date.now(), role, before, readSeq);
  db.prepare('DELETE FROM room_standing WHERE room_id = ? AND user_id = ?').run(room, user);
  event(db, 'member_added', room, user);
  // After member_added: a running server subscribes the joiner first, so they get their own entry.
  if (entries) event(db, 'room_entry', room, readSeq);
  return true;
}

/**
 * A group room made by an admin: no owner (run by the server's admins)
 * unless `owner` names one, who is joined as its owner.
 */
export function createRoom(db: Db, name: string, memberNames: readonly string[], actor: Actor = cliActor(), opts: RoomOptions = {}): RoomRow {
  const roomName = validateRoomName(name);
  const users = memberNames.map((m) => findUser(db, m));
  const owner = opts.owner === undefined ? undefined : findUser(db, opts.owner);
  const entries = opts.entries ?? true;
  const taken = db.prepare("SELECT 1 FROM rooms WHERE name = ? COLLATE NOCASE AND kind = 'group'").get(roomName);
  if (taken !== undefined) throw new RoostError('conflict', `a room named "${roomName}" already exists`);
  const id = db.transaction(() => {
    const info = db.prepare("INSERT INTO rooms (name, kind, created_at) VALUES (?, 'group', ?)").run(roomName, Date.now());
    const roomId = Number(info.lastInsertRowid);
    if (entries) entry(db, roomId, owner?.id ?? actorUserId(db, actor), { kind: 'created', name: roomName });
    event(db, 'room_created', roomId, null);
    if (owner !== undefined) insertMember(db, roomId, owner.id, 'owner', entries);
    for (const u of users) if (u.id !== owner?.id) insertMember(db, roomId, u.id, 'member', entries);
    appendAudit(db, actor, 'room.create', { room: roomName, id: roomId, members: users.map((u) => u.name), owner: owner?.name ?? null });
    return roomId;
  }).immediate();
  return findRoom(db, String(id));
}

export function addMember(db: Db, roomNameOrId: string, userName: string, actor: Actor = cliActor(), opts: RoomOptions = {}): boolean {
  const room = findRoom(db, roomNameOrId);
  if (room.kind === 'direct') throw new RoostError('conflict', 'a direct room has exactly its two people');
  const user = findUser(db, userName);
  return db.transaction(() => {
    const added = insertMember(db, room.id, user.id, 'member', opts.entries ?? true);
    appendAudit(db, actor, 'room.add', { room: room.name, id: room.id, user: user.name, changed: added });
    return added;
  }).immediate();
}

/** A removal: the user cannot rejoin a public room until invited again. */
export function removeMember(db: Db, roomNameOrId: string, userName: string, actor: Actor = cliActor(), opts: RoomOptions = {}): boolean {
  const room = findRoom(db, roomNameOrId);
  if (room.kind === 'direct') throw new RoostError('conflict', 'a direct room has exactly its two people');
  const user = findUser(db, userName);
  return db.transaction(() => {
    const member = db.prepare('SELECT 1 FROM members WHERE room_id = ? AND user_id = ?').get(room.id, user.id) !== undefined;
    if (member) {
      // The entry first, while they are still a member: a running server publishes it before unsubscribing them.
      if (opts.entries ?? true) entry(db, room.id, actorUserId(db, actor), { kind: 'removed', user: String(user.id) });
      db.prepare('DELETE FROM members WHERE room_id = ? AND user_id = ?').run(room.id, user.id);
      db.prepare(`INSERT INTO room_standing (room_id, user_id, state, by_user, at) VALUES (?, ?, 'removed', ?, ?)
        ON CONFLICT(room_id, user_id) DO UPDATE SET state = excluded.state, by_user = excluded.by_user, at = excluded.at`)
        .run(room.id, user.id, actorUserId(db, actor) || null, Date.now());
      event(db, 'member_removed', room.id, user.id);
    }
    appendAudit(db, actor, 'room.remove', { room: room.name, id: room.id, user: user.name, changed: member });
    return member;
  }).immediate();
}

/** Sets a member's room role (an admin's doing: the room rules do not bind the operator). */
export function setMemberRole(db: Db, roomNameOrId: string, userName: string, role: RoomRoleName, actor: Actor = cliActor()): boolean {
  if (role !== 'owner' && role !== 'moderator' && role !== 'member') throw new RoostError('bad_request', `invalid role "${String(role)}": owner, moderator or member`);
  const room = findRoom(db, roomNameOrId);
  if (room.kind === 'direct') throw new RoostError('conflict', 'a direct room has no roles');
  const user = findUser(db, userName);
  return db.transaction(() => {
    const row = db.prepare('SELECT role FROM members WHERE room_id = ? AND user_id = ?').get(room.id, user.id) as { role: RoomRoleName } | undefined;
    if (row === undefined) throw new RoostError('not_found', `${user.name} is not in ${room.name}`);
    const changed = row.role !== role;
    if (changed) {
      db.prepare('UPDATE members SET role = ? WHERE room_id = ? AND user_id = ?').run(role, room.id, user.id);
      entry(db, room.id, actorUserId(db, actor), { kind: 'role', user: String(user.id), role });
      event(db, 'member_role', room.id, user.id);
    }
    appendAudit(db, actor, 'room.role', { room: room.name, id: room.id, user: user.name, role, changed });
    return changed;
  }).immediate();
}

/** The direct room between two people, created the first time it is asked for. */
export function directRoom(db: Db, a: string, b: string, actor: Actor = cliActor(), opts: RoomOptions = {}): { room: RoomRow; created: boolean } {
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
    if (opts.entries ?? true) entry(db, roomId, actorUserId(db, actor), { kind: 'created', name: `${ua.name} & ${ub.name}` });
    event(db, 'room_created', roomId, null);
    insertMember(db, roomId, ua.id, 'member', false);
    insertMember(db, roomId, ub.id, 'member', false);
    appendAudit(db, actor, 'room.create', { room: `${ua.name} & ${ub.name}`, id: roomId, kind: 'direct', members: [ua.name, ub.name] });
    return { room: findRoom(db, String(roomId)), created: true };
  }).immediate();
}
