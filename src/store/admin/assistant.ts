import { RoostError } from '../../protocol/errors.js';
import { appendAudit, cliActor, type Actor } from '../history/audit.js';
import type { Db } from '../db/database.js';
import type { WireAssistant } from '../../protocol/integrations.js';
import { addMember, event, findRoom, removeMember } from './admin.js';
import { insertBot } from './bots.js';

/**
 * The assistant's setting: one row saying whether a local LLM answers
 * mentions of its bot, at which OpenAI-compatible URL, with which model.
 * Every change is audited and announced on the events feed
 * (`assistant_changed`), so a running server picks it up without a restart.
 */

export interface AssistantSetting { enabled: boolean; url: string; model: string; bot: number; botName: string; allowRemote: boolean; updatedAt: number }

interface Row { enabled: number; url: string; model: string; bot: number; botName: string; allowRemote: number; updatedAt: number }

const MAX_URL_CHARS = 2048;
const MAX_MODEL_CHARS = 200;

export function readAssistant(db: Db): AssistantSetting | undefined {
  const row = db.prepare(`SELECT a.enabled, a.url, a.model, a.bot_id AS bot, u.name AS botName, a.allow_remote AS allowRemote, a.updated_at AS updatedAt
    FROM assistant_settings a JOIN users u ON u.id = a.bot_id WHERE a.id = 1`).get() as Row | undefined;
  if (row === undefined) return undefined;
  return { ...row, enabled: row.enabled !== 0, allowRemote: row.allowRemote !== 0 };
}

export function validAssistantUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RoostError('bad_request', `invalid URL "${url}"`);
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || url.length > MAX_URL_CHARS) {
    throw new RoostError('bad_request', `the assistant's URL must be http(s), at most ${MAX_URL_CHARS} characters`);
  }
  // The URL is shown by `status`, kept in the audit log and named in errors members see: no secret in it.
  if (parsed.username !== '' || parsed.password !== '') throw new RoostError('bad_request', 'the assistant\'s URL may not carry a user name or password');
  // `/v1/...` is appended to it: a trailing slash would double.
  return url.replace(/\/+$/, '');
}

export interface AssistantSpec { url: string; model: string; name: string; allowRemote: boolean }

/** Stores the setting (the URL's host was checked by the caller, which resolves names); makes the bot if missing. */
export function enableAssistant(db: Db, spec: AssistantSpec, actor: Actor = cliActor()): AssistantSetting {
  const url = validAssistantUrl(spec.url);
  const model = spec.model.trim();
  if (model === '' || model.length > MAX_MODEL_CHARS) throw new RoostError('bad_request', `a model name is 1-${MAX_MODEL_CHARS} characters`);
  db.transaction(() => {
    const user = db.prepare('SELECT id, kind FROM users WHERE name = ?').get(spec.name) as { id: number; kind: string } | undefined;
    if (user !== undefined && user.kind !== 'bot') throw new RoostError('conflict', `"${spec.name}" is a person, not a bot: pick another --name`);
    const bot = user?.id ?? insertBot(db, spec.name, 'Assistant');
    db.prepare(`INSERT INTO assistant_settings (id, enabled, url, model, bot_id, allow_remote, updated_at) VALUES (1, 1, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET enabled = 1, url = excluded.url, model = excluded.model, bot_id = excluded.bot_id,
        allow_remote = excluded.allow_remote, updated_at = excluded.updated_at`)
      .run(url, model, bot, spec.allowRemote ? 1 : 0, Date.now());
    appendAudit(db, actor, 'assistant.enable', { url, model, bot: spec.name, allowRemote: spec.allowRemote });
    event(db, 'assistant_changed', null, null);
  }).immediate();
  return readAssistant(db) as AssistantSetting;
}

/** Keeps the row (and the bot, whose past answers keep their name); answers stop. */
export function disableAssistant(db: Db, actor: Actor = cliActor()): boolean {
  return db.transaction(() => {
    const changed = db.prepare('UPDATE assistant_settings SET enabled = 0, updated_at = ? WHERE id = 1 AND enabled = 1').run(Date.now()).changes > 0;
    if (changed) {
      appendAudit(db, actor, 'assistant.disable', {});
      event(db, 'assistant_changed', null, null);
    }
    return changed;
  }).immediate();
}

/** The enabled assistant as a room's integrations show it; undefined while it is off. */
export function assistantIn(db: Db, room: string): WireAssistant | undefined {
  const set = readAssistant(db);
  if (set === undefined || !set.enabled) return undefined;
  const id = findRoom(db, room).id;
  const member = db.prepare('SELECT 1 FROM members WHERE room_id = ? AND user_id = ?').get(id, set.bot) !== undefined;
  return { bot: String(set.bot), botName: set.botName, member };
}

/** Invites the enabled assistant's bot into a room or removes it, as `roost room add/remove` would (audited there). */
export function setAssistantMember(db: Db, room: string, member: boolean, actor: Actor = cliActor()): boolean {
  const set = readAssistant(db);
  if (set === undefined || !set.enabled) throw new RoostError('conflict', 'the assistant is not enabled on this server (`roost assistant enable`)');
  return member ? addMember(db, room, set.botName, actor) : removeMember(db, room, set.botName, actor);
}
