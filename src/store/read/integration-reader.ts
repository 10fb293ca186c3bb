import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';

/** A hook that may post: its room and its bot. */
export interface LiveHook { id: number; room: number; bot: number }
/** An outgoing webhook as deliveries need it (the secret signs each body). */
export interface LiveWebhook { id: number; room: number; bot: number; url: string; trigger: string; secret: string }

/** The assistant's setting while it is enabled: where its model server is and which bot answers. */
export interface LiveAssistant { url: string; model: string; bot: number; botName: string; allowRemote: boolean }

/** Reads of integrations on the event loop's read-only connection: each an indexed lookup. */
export class IntegrationReader {
  private readonly byHash: Statement<[Buffer], LiveHook>;
  private readonly webhooksOf: Statement<[number], LiveWebhook>;
  private readonly allWebhooks: Statement<[], LiveWebhook>;
  private readonly kindOf: Statement<[number], { kind: 'group' | 'direct' }>;
  private readonly assistantRow: Statement<[], LiveAssistant>;
  private readonly readSeqOf: Statement<[number, number], { seq: number }>;
  private readonly nameOf: Statement<[number], { name: string }>;

  constructor(db: Db) {
    // A disabled bot account is blocked like any account: its hook answers as revoked, its webhook and the assistant are off.
    this.byHash = db.prepare(`SELECT h.id, h.room_id AS room, h.bot_id AS bot FROM hooks h JOIN users u ON u.id = h.bot_id
      WHERE h.hash = ? AND h.revoked_at IS NULL AND u.disabled = 0`);
    const select = `SELECT w.id, w.room_id AS room, w.bot_id AS bot, w.url, w.trigger, w.secret FROM outgoing_webhooks w JOIN users u ON u.id = w.bot_id
      WHERE w.removed_at IS NULL AND u.disabled = 0`;
    this.webhooksOf = db.prepare(`${select} AND w.room_id = ? ORDER BY w.id`);
    this.allWebhooks = db.prepare(`${select} ORDER BY w.id`);
    this.kindOf = db.prepare('SELECT kind FROM rooms WHERE id = ?');
    this.assistantRow = db.prepare(`SELECT a.url, a.model, a.bot_id AS bot, u.name AS botName, a.allow_remote = 1 AS allowRemote
      FROM assistant_settings a JOIN users u ON u.id = a.bot_id WHERE a.id = 1 AND a.enabled = 1 AND u.disabled = 0`);
    this.readSeqOf = db.prepare('SELECT read_seq AS seq FROM members WHERE room_id = ? AND user_id = ?');
    this.nameOf = db.prepare('SELECT name FROM rooms WHERE id = ?');
  }

  /** The assistant's setting when it is enabled (read at start and when the events feed says it changed). */
  assistant(): LiveAssistant | undefined {
    const row = this.assistantRow.get();
    return row === undefined ? undefined : { ...row, allowRemote: Boolean(row.allowRemote) };
  }

  /** A member's read marker in a room (0 when not a member or nothing read). */
  readSeq(room: number, user: number): number {
    return this.readSeqOf.get(room, user)?.seq ?? 0;
  }

  roomName(room: number): string {
    return this.nameOf.get(room)?.name ?? '';
  }

  /** `tokenHash`: the token's SHA-256, hex. Unknown and revoked tokens both answer undefined. */
  hook(tokenHash: string): LiveHook | undefined {
    return this.byHash.get(Buffer.from(tokenHash, 'hex'));
  }

  roomKind(room: number): 'group' | 'direct' | undefined {
    return this.kindOf.get(room)?.kind;
  }

  webhooks(room?: number): LiveWebhook[] {
    return room === undefined ? this.allWebhooks.all() : this.webhooksOf.all(room);
  }
}
