import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';

/** A hook that may post: its room and its bot. */
export interface LiveHook { id: number; room: number; bot: number }
/** An outgoing webhook as deliveries need it (the secret signs each body). */
export interface LiveWebhook { id: number; room: number; bot: number; url: string; trigger: string; secret: string }

/** Reads of integrations on the event loop's read-only connection: each an indexed lookup. */
export class IntegrationReader {
  private readonly byHash: Statement<[Buffer], LiveHook>;
  private readonly webhooksOf: Statement<[number], LiveWebhook>;
  private readonly allWebhooks: Statement<[], LiveWebhook>;
  private readonly kindOf: Statement<[number], { kind: 'group' | 'direct' }>;

  constructor(db: Db) {
    this.byHash = db.prepare('SELECT id, room_id AS room, bot_id AS bot FROM hooks WHERE hash = ? AND revoked_at IS NULL');
    const select = 'SELECT id, room_id AS room, bot_id AS bot, url, trigger, secret FROM outgoing_webhooks WHERE removed_at IS NULL';
    this.webhooksOf = db.prepare(`${select} AND room_id = ? ORDER BY id`);
    this.allWebhooks = db.prepare(`${select} ORDER BY id`);
    this.kindOf = db.prepare('SELECT kind FROM rooms WHERE id = ?');
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
