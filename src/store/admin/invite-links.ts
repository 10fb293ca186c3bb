import { createHash, randomBytes } from 'node:crypto';
import { RoostError } from '../../protocol/errors.js';
import type { Reason } from '../../protocol/reasons.js';
import { apiActor, appendAudit, type Actor } from '../history/audit.js';
import type { Db } from '../db/database.js';
import { addMember, addUser, findRoom, validateUserName, type UserRow } from './admin.js';
import { validateDisplayName } from './display-name.js';

/**
 * Invitation links: a URL that lets someone make their own account and join
 * the link's rooms, a set number of times, until it expires. The token is
 * shown once, when the link is made; only its SHA-256 is kept, so a copy of
 * the database (a backup) cannot be turned into working links.
 */

/** 24 random bytes: 192 bits, 32 base64url characters. */
const TOKEN_BYTES = 24;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;
export const MAX_LINK_USES = 1000;
export const MAX_LINK_HOURS = 90 * 24;
export const MAX_LINK_ROOMS = 50;
export const MAX_NOTE_CHARS = 200;

/** A link as listed: `id` is a prefix of the token's SHA-256, never the token. */
export interface InviteLink {
  id: string;
  createdBy: number;
  createdAt: number;
  expiresAt: number;
  maxUses: number;
  uses: number;
  rooms: number[];
  note: string;
  revokedAt: number | null;
  state: InviteLinkState;
}

export type InviteLinkState = 'usable' | 'expired' | 'spent' | 'revoked';

export interface NewInviteLink {
  /** The Roost user who made it; 0 for the CLI (the audit entry names the person at the terminal). */
  createdBy: number;
  expiresInHours: number;
  maxUses: number;
  /** Group rooms, by name or id. */
  rooms: readonly string[];
  note?: string;
}

/** A refusal a client tells apart from other `forbidden` ones by its reason. */
export class InviteLinkSpent extends RoostError {
  readonly reason: Reason = 'invite_link_spent';
  constructor() {
    super('forbidden', 'this invitation link has expired, been used up or been revoked');
  }
}

interface LinkRow {
  hash: Buffer; created_by: number; created_at: number; expires_at: number; max_uses: number; uses: number; rooms: string; note: string; revoked_at: number | null;
}

export function looksLikeInviteToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

const linkId = (hash: Buffer): string => hash.toString('hex').slice(0, 12);

function stateOf(r: LinkRow, now: number): InviteLinkState {
  if (r.revoked_at !== null) return 'revoked';
  if (r.uses >= r.max_uses) return 'spent';
  if (r.expires_at <= now) return 'expired';
  return 'usable';
}

function toLink(r: LinkRow, now: number): InviteLink {
  return {
    id: linkId(r.hash), createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at, maxUses: r.max_uses, uses: r.uses,
    rooms: JSON.parse(r.rooms) as number[], note: r.note, revokedAt: r.revoked_at, state: stateOf(r, now),
  };
}

function wholeIn(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RoostError('bad_request', `${what} must be a whole number from ${min} to ${max}`);
  return value;
}

function validNote(note: string): string {
  const trimmed = note.trim();
  // eslint-disable-next-line no-control-regex
  if ([...trimmed].length > MAX_NOTE_CHARS || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new RoostError('bad_request', `the note must be at most ${MAX_NOTE_CHARS} characters, without control characters`);
  }
  return trimmed;
}

const SELECT = 'SELECT hash, created_by, created_at, expires_at, max_uses, uses, rooms, note, revoked_at FROM invite_links';

/** Makes a link; the token in the answer is the only copy there will ever be. */
export function createInviteLink(db: Db, spec: NewInviteLink, actor: Actor, now = Date.now()): { token: string; link: InviteLink } {
  const hours = wholeIn(spec.expiresInHours, 1, MAX_LINK_HOURS, 'expiresInHours');
  const maxUses = wholeIn(spec.maxUses, 1, MAX_LINK_USES, 'maxUses');
  if (spec.rooms.length > MAX_LINK_ROOMS) throw new RoostError('bad_request', `a link joins at most ${MAX_LINK_ROOMS} rooms`);
  const note = validNote(spec.note ?? '');
  const rooms = spec.rooms.map((r) => findRoom(db, r));
  const direct = rooms.find((r) => r.kind === 'direct');
  if (direct !== undefined) throw new RoostError('conflict', `room ${direct.id} is a direct room; a link joins group rooms only`);
  const roomIds = [...new Set(rooms.map((r) => r.id))];
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const hash = tokenHash(token);
  const expiresAt = now + hours * 60 * 60 * 1000;
  db.transaction(() => {
    db.prepare('INSERT INTO invite_links (hash, created_by, created_at, expires_at, max_uses, rooms, note) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(hash, spec.createdBy, now, expiresAt, maxUses, JSON.stringify(roomIds), note);
    appendAudit(db, actor, 'invite.create', { id: linkId(hash), expiresAt, maxUses, rooms: rooms.map((r) => r.name), note }, now);
  }).immediate();
  const row = db.prepare(`${SELECT} WHERE hash = ?`).get(hash) as LinkRow;
  return { token, link: toLink(row, now) };
}

/** Every link, newest first (a LAN server makes a handful; bounded all the same). */
export function listInviteLinks(db: Db, now = Date.now(), limit = 1000): InviteLink[] {
  const rows = db.prepare(`${SELECT} ORDER BY created_at DESC LIMIT +?`).all(limit) as LinkRow[];
  return rows.map((r) => toLink(r, now));
}

function findById(db: Db, id: string): LinkRow {
  if (!/^[0-9a-f]{12}$/i.test(id)) throw new RoostError('bad_request', 'a link id is 12 hexadecimal characters, as `invite list` shows');
  const row = db.prepare(`${SELECT} WHERE substr(hex(hash), 1, 12) = ?`).get(id.toUpperCase()) as LinkRow | undefined;
  if (row === undefined) throw new RoostError('not_found', `no invitation link ${id}`);
  return row;
}

/** Revokes a link by its id; false when it was already revoked (nothing changes then). */
export function revokeInviteLink(db: Db, id: string, actor: Actor, now = Date.now()): boolean {
  const row = findById(db, id);
  if (row.revoked_at !== null) return false;
  db.transaction(() => {
    db.prepare('UPDATE invite_links SET revoked_at = ? WHERE hash = ?').run(now, row.hash);
    appendAudit(db, actor, 'invite.revoke', { id: linkId(row.hash), uses: row.uses }, now);
  }).immediate();
  return true;
}

/** The link a token names while it can still be used; InviteLinkSpent otherwise (unknown included). */
export function usableInviteLink(db: Db, token: string, now = Date.now()): InviteLink {
  const row = looksLikeInviteToken(token) ? (db.prepare(`${SELECT} WHERE hash = ?`).get(tokenHash(token)) as LinkRow | undefined) : undefined;
  if (row === undefined || stateOf(row, now) !== 'usable') throw new InviteLinkSpent();
  return toLink(row, now);
}

export interface Redemption {
  token: string;
  name: string;
  /** Hashed by the caller (scrypt is slow; it must not hold the write lock). */
  passwordHash: string;
  displayName?: string;
}

/**
 * Makes the account, joins it to the link's rooms and uses one use, all in
 * one transaction: a link with one use left admits exactly one of two
 * concurrent redeemers, and a refused name leaves nothing half-made. Rooms
 * deleted since the link was made are skipped.
 */
export function redeemInviteLink(db: Db, r: Redemption, now = Date.now()): { user: UserRow; rooms: number[] } {
  validateUserName(r.name);
  const displayName = r.displayName === undefined || r.displayName.trim() === '' ? '' : validateDisplayName(r.displayName);
  // The newcomer acts: the audit log reads "ana made her account through link 3f…".
  const actor = apiActor(r.name);
  return db.transaction(() => {
    const link = usableInviteLink(db, r.token, now);
    const user = addUser(db, r.name, 'member', r.passwordHash, actor);
    if (displayName !== '') db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(displayName, user.id);
    const joined: number[] = [];
    for (const room of link.rooms) {
      const exists = db.prepare("SELECT 1 FROM rooms WHERE id = ? AND kind = 'group'").get(room) !== undefined;
      if (!exists) continue;
      addMember(db, String(room), user.name, actor);
      joined.push(room);
    }
    const used = db.prepare('UPDATE invite_links SET uses = uses + 1 WHERE hash = ? AND uses < max_uses').run(tokenHash(r.token));
    if (used.changes !== 1) throw new InviteLinkSpent();
    appendAudit(db, actor, 'invite.redeem', { id: link.id, user: user.name, userId: user.id, rooms: joined.map(String) }, now);
    return { user, rooms: joined };
  }).immediate();
}
