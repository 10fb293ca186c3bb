import { createHash, randomBytes } from 'node:crypto';
import { RoostError } from '../../protocol/errors.js';
import { appendAudit, cliActor, type Actor } from '../history/audit.js';
import type { Db } from '../db/database.js';
import { AVATAR_ROOM } from '../files/avatar-files.js';
import { event, findUser, validateUserName } from './admin.js';

/**
 * Bot accounts: users of kind 'bot' with no password (the empty hash matches
 * nothing, so a bot can never sign in with one). A bot signs in with a token,
 * stored hashed in `tokens` like a session's, that does not expire; `bot
 * token-reset` revokes it and makes a new one.
 */

/** Far enough to never expire; the sliding refresh only ever moves an expiry later. */
export const BOT_TOKEN_EXPIRES_AT = 8_640_000_000_000_000;

export interface BotRow { id: number; name: string; displayName: string; disabled: number; createdAt: number; tokens: number }

/** A session-shaped token (auth/tokens.ts: 32 random bytes, base64url); only its SHA-256 is stored. */
export function newBotToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: createHash('sha256').update(token).digest() };
}

/** An avatar image already placed under files/ (its bytes and thumbnail), whose row is written with its bot. */
export interface NewAvatar { id: string; sha256: string; size: number; mime: string; width: number; height: number }

/** Inserts a bot user, and its avatar's file row in use by it (no transaction of its own: callers hold one). */
export function insertBot(db: Db, name: string, displayName: string, avatar: NewAvatar | null = null): number {
  validateUserName(name);
  if (db.prepare('SELECT 1 FROM users WHERE name = ?').get(name) !== undefined) throw new RoostError('conflict', `a user named "${name}" already exists`);
  const info = db.prepare("INSERT INTO users (name, role, password_hash, created_at, kind, display_name, avatar) VALUES (?, 'member', '', ?, 'bot', ?, ?)")
    .run(name, Date.now(), displayName, avatar?.id ?? null);
  const id = Number(info.lastInsertRowid);
  if (avatar !== null) {
    // As an avatar upload's row (room 0, a thumbnail), with the one reference its bot holds.
    db.prepare(`INSERT INTO files (id, room_id, uploader_id, sha256, size, mime, name, width, height, thumb, created_at, refs)
      VALUES (?, ${AVATAR_ROOM}, ?, ?, ?, ?, 'avatar', ?, ?, 1, ?, 1)`)
      .run(avatar.id, id, Buffer.from(avatar.sha256, 'hex'), avatar.size, avatar.mime, avatar.width, avatar.height, Date.now());
  }
  return id;
}

/** A free user name for a bot made from a hook's name: its slug, then slug-2, slug-3… */
export function freeBotName(db: Db, label: string): string {
  const slug = label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '').slice(0, 24) || 'hook';
  const taken = db.prepare('SELECT 1 FROM users WHERE name = ?');
  for (let n = 1; n <= 1000; n++) {
    const name = n === 1 ? slug : `${slug}-${n}`;
    if (taken.get(name) === undefined) return name;
  }
  throw new RoostError('conflict', `no free user name for a bot called "${label}"`);
}

function storeToken(db: Db, user: number): string {
  const { token, hash } = newBotToken();
  db.prepare("INSERT INTO tokens (hash, user_id, created_at, expires_at, device) VALUES (?, ?, ?, ?, 'bot')").run(hash, user, Date.now(), BOT_TOKEN_EXPIRES_AT);
  return token;
}

export function createBot(db: Db, name: string, actor: Actor = cliActor()): { bot: BotRow; token: string } {
  const token = db.transaction(() => {
    const id = insertBot(db, name, '');
    appendAudit(db, actor, 'bot.create', { user: name, id });
    return storeToken(db, id);
  }).immediate();
  return { bot: findBot(db, name), token };
}

export function findBot(db: Db, name: string): BotRow {
  const user = findUser(db, name);
  const row = listBots(db).find((b) => b.id === user.id);
  if (row === undefined) throw new RoostError('bad_request', `"${name}" is a person, not a bot`);
  return row;
}

export function listBots(db: Db): BotRow[] {
  return db.prepare(`SELECT u.id, u.name, u.display_name AS displayName, u.disabled, u.created_at AS createdAt,
      (SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS tokens
    FROM users u WHERE u.kind = 'bot' ORDER BY u.name`).all() as BotRow[];
}

/** Revokes the bot's tokens (a running server closes its sockets) and makes a new one. */
export function resetBotToken(db: Db, name: string, actor: Actor = cliActor()): string {
  const bot = findBot(db, name);
  return db.transaction(() => {
    const revoked = db.prepare('UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(Date.now(), bot.id);
    event(db, 'tokens_revoked', null, bot.id);
    appendAudit(db, actor, 'bot.token-reset', { user: bot.name, id: bot.id, tokensRevoked: revoked.changes });
    return storeToken(db, bot.id);
  }).immediate();
}
