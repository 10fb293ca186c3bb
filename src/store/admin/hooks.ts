import { randomBytes } from 'node:crypto';
import { RoostError } from '../../protocol/errors.js';
import { isWebhookTrigger } from '../../protocol/webhook-trigger.js';
import { appendAudit, cliActor, type Actor } from '../history/audit.js';
import type { Db } from '../db/database.js';
import { event, findRoom, insertMember, type RoomRow } from './admin.js';
import { freeBotName, insertBot, newBotToken, type NewAvatar } from './bots.js';

/**
 * A room's integrations. An incoming hook is a URL whose token lets anything
 * on the LAN post into one room, as the hook's own bot user (joined to the
 * room, shown with the hook's name and avatar); only the token's SHA-256 is
 * kept. An outgoing webhook sends the room's messages to a URL and posts its
 * answers as its bot. Each change is audited and, through the events feed,
 * reaches a running server.
 */

export interface HookRow { id: number; room: number; roomName: string; name: string; bot: number; botName: string; createdBy: string; createdAt: number; revokedAt: number | null }
export interface WebhookRow { id: number; room: number; roomName: string; bot: number; botName: string; url: string; trigger: string; createdBy: string; createdAt: number }

const MAX_NAME_CHARS = 64;
const MAX_URL_CHARS = 2048;

function hookName(name: string): string {
  const trimmed = name.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_CHARS || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new RoostError('bad_request', `invalid name "${name}": 1-${MAX_NAME_CHARS} characters, no control characters`);
  }
  return trimmed;
}

function groupRoom(db: Db, nameOrId: string): RoomRow {
  const room = findRoom(db, nameOrId);
  if (room.kind === 'direct') throw new RoostError('conflict', 'a direct room has exactly its two people: no integrations');
  return room;
}

/** A bot for an integration, joined to the room (a running server learns it from member_added). */
function roomBot(db: Db, room: number, label: string, avatar: NewAvatar | null): { id: number; name: string } {
  const name = freeBotName(db, label);
  const id = insertBot(db, name, label, avatar);
  insertMember(db, room, id, 'member', true);
  return { id, name };
}

export interface NewHook { room: string; name?: string; avatar?: NewAvatar | null; createdBy: string }

export function createHook(db: Db, spec: NewHook, actor: Actor = cliActor()): { hook: HookRow; token: string } {
  const room = groupRoom(db, spec.room);
  const name = hookName(spec.name ?? 'hook');
  const { token, hash } = newBotToken();
  const id = db.transaction(() => {
    const bot = roomBot(db, room.id, name, spec.avatar ?? null);
    const info = db.prepare('INSERT INTO hooks (hash, room_id, bot_id, name, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(hash, room.id, bot.id, name, spec.createdBy, Date.now());
    const hookId = Number(info.lastInsertRowid);
    appendAudit(db, actor, 'hook.create', { hook: hookId, room: room.name, roomId: room.id, name, bot: bot.name });
    return hookId;
  }).immediate();
  return { hook: findHook(db, id), token };
}

const HOOK_SELECT = `SELECT h.id, h.room_id AS room, r.name AS roomName, h.name, h.bot_id AS bot, u.name AS botName,
    h.created_by AS createdBy, h.created_at AS createdAt, h.revoked_at AS revokedAt
  FROM hooks h JOIN rooms r ON r.id = h.room_id JOIN users u ON u.id = h.bot_id`;

export function findHook(db: Db, id: number): HookRow {
  const row = db.prepare(`${HOOK_SELECT} WHERE h.id = ?`).get(id) as HookRow | undefined;
  if (row === undefined) throw new RoostError('not_found', `no hook ${id}`);
  return row;
}

/** Every hook, or one room's; revoked ones too (they say when). */
export function listHooks(db: Db, room?: string): HookRow[] {
  if (room === undefined) return db.prepare(`${HOOK_SELECT} ORDER BY h.id`).all() as HookRow[];
  return db.prepare(`${HOOK_SELECT} WHERE h.room_id = ? ORDER BY h.id`).all(groupRoom(db, room).id) as HookRow[];
}

/** Its URL answers 404 from now on; the bot stays, so its past messages keep their name. `room`: only within that room. */
export function revokeHook(db: Db, id: number, actor: Actor = cliActor(), room?: number): boolean {
  const hook = findHook(db, id);
  if (room !== undefined && hook.room !== room) throw new RoostError('not_found', `no hook ${id} in this room`);
  return db.transaction(() => {
    const changed = db.prepare('UPDATE hooks SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id).changes > 0;
    appendAudit(db, actor, 'hook.revoke', { hook: id, room: hook.roomName, roomId: hook.room, name: hook.name, changed });
    return changed;
  }).immediate();
}

export interface NewWebhook { room: string; url: string; trigger: string; name?: string; createdBy: string }

/** The URL's shape only; whether its host is on the LAN is the caller's check (it resolves names). */
function webhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RoostError('bad_request', `"${text}" is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || text.length > MAX_URL_CHARS) {
    throw new RoostError('bad_request', `a webhook URL is http(s) and at most ${MAX_URL_CHARS} characters`);
  }
  // The URL is listed to the room's moderators and kept in the audit log; deliveries are signed instead.
  if (url.username !== '' || url.password !== '') throw new RoostError('bad_request', 'a webhook URL may not carry a user name or password (each delivery is signed: X-Roost-Signature)');
  return url.href;
}

/** The secret signs every delivery (HMAC-SHA256); shown once, when the webhook is made. */
export function addWebhook(db: Db, spec: NewWebhook, actor: Actor = cliActor()): { webhook: WebhookRow; secret: string } {
  const room = groupRoom(db, spec.room);
  const url = webhookUrl(spec.url);
  if (!isWebhookTrigger(spec.trigger)) throw new RoostError('bad_request', `invalid trigger "${spec.trigger}" (a trigger is "any", "mention" or a "!word")`);
  const name = hookName(spec.name ?? 'webhook');
  const secret = randomBytes(32).toString('base64url');
  const id = db.transaction(() => {
    const bot = roomBot(db, room.id, name, null);
    const info = db.prepare('INSERT INTO outgoing_webhooks (room_id, bot_id, url, trigger, secret, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(room.id, bot.id, url, spec.trigger, secret, spec.createdBy, Date.now());
    const webhookId = Number(info.lastInsertRowid);
    event(db, 'webhooks_changed', room.id, null);
    appendAudit(db, actor, 'webhook.add', { webhook: webhookId, room: room.name, roomId: room.id, url, trigger: spec.trigger, bot: bot.name });
    return webhookId;
  }).immediate();
  return { webhook: findWebhook(db, id), secret };
}

const WEBHOOK_SELECT = `SELECT w.id, w.room_id AS room, r.name AS roomName, w.bot_id AS bot, u.name AS botName, w.url, w.trigger,
    w.created_by AS createdBy, w.created_at AS createdAt
  FROM outgoing_webhooks w JOIN rooms r ON r.id = w.room_id JOIN users u ON u.id = w.bot_id`;

export function findWebhook(db: Db, id: number): WebhookRow {
  const row = db.prepare(`${WEBHOOK_SELECT} WHERE w.id = ? AND w.removed_at IS NULL`).get(id) as WebhookRow | undefined;
  if (row === undefined) throw new RoostError('not_found', `no webhook ${id}`);
  return row;
}

export function listWebhooks(db: Db, room?: string): WebhookRow[] {
  if (room === undefined) return db.prepare(`${WEBHOOK_SELECT} WHERE w.removed_at IS NULL ORDER BY w.id`).all() as WebhookRow[];
  return db.prepare(`${WEBHOOK_SELECT} WHERE w.removed_at IS NULL AND w.room_id = ? ORDER BY w.id`).all(groupRoom(db, room).id) as WebhookRow[];
}

export function removeWebhook(db: Db, id: number, actor: Actor = cliActor(), room?: number): void {
  const hook = findWebhook(db, id);
  if (room !== undefined && hook.room !== room) throw new RoostError('not_found', `no webhook ${id} in this room`);
  db.transaction(() => {
    db.prepare('UPDATE outgoing_webhooks SET removed_at = ? WHERE id = ?').run(Date.now(), id);
    event(db, 'webhooks_changed', hook.room, null);
    appendAudit(db, actor, 'webhook.remove', { webhook: id, room: hook.roomName, roomId: hook.room, url: hook.url });
  }).immediate();
}
