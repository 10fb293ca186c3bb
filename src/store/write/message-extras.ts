import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';
import type { FileRows, WireAttachment } from '../files/file-rows.js';
import type { WriteFailed, WriteOp } from './write-ops.js';

/** What a message carries besides its body, in wire form (spread into the `message` frame). */
export interface WireExtras { replyTo?: number; attachments?: WireAttachment[]; mentions?: string[] }

export interface PreparedExtras {
  /** Stored in messages.extra and covered by the chain hash; null for a plain message. */
  json: string | null;
  wire: WireExtras | null;
  mentioned: number[];
  files: string[];
}

/** `@name` where a name is a Roost user name (admin.ts USER_NAME), not inside a word or an address. */
const MENTION = /(?<![\p{L}\p{N}_.@-])@([A-Za-z0-9][A-Za-z0-9._-]{0,31})/gu;
const MAX_MENTIONS = 20;

type SendOp = Extract<WriteOp, { k: 'send' }>;

/**
 * Replies, attachments and mentions of a `send`, checked and resolved on the
 * writer thread inside the batch's transaction. Mentions are resolved from a
 * cache of user names (one indexed lookup the first time a name is seen, and
 * for names that are nobody's), bounded to MAX_MENTIONS distinct names per
 * message, and only members of the room count.
 */
export class SendExtras {
  private readonly userIds = new Map<string, number>();
  private readonly userByName: Statement<[string], { id: number }>;
  private readonly seqExists: Statement<[number, number], { one: number }>;
  private readonly isMember: Statement<[number, number], { one: number }>;
  private readonly insertMention: Statement<[number, number, number]>;

  constructor(db: Db, private readonly files: FileRows) {
    this.userByName = db.prepare('SELECT id FROM users WHERE name = ?');
    this.seqExists = db.prepare('SELECT 1 AS one FROM messages WHERE room_id = ? AND seq = ?');
    this.isMember = db.prepare('SELECT 1 AS one FROM members WHERE room_id = ? AND user_id = ?');
    this.insertMention = db.prepare('INSERT OR IGNORE INTO mentions (user_id, room_id, seq) VALUES (?, ?, ?)');
  }

  prepare(op: SendOp): PreparedExtras | WriteFailed {
    const wire: WireExtras = {};
    if (op.replyTo !== undefined) {
      if (this.seqExists.get(op.room, op.replyTo) === undefined) {
        return { ok: false, code: 'not_found', message: `replyTo: no message ${op.replyTo} in this room` };
      }
      wire.replyTo = op.replyTo;
    }
    const files: string[] = [];
    if (op.attachments !== undefined && op.attachments.length > 0) {
      const list: WireAttachment[] = [];
      for (const id of op.attachments) {
        const a = this.files.attachable(id, op.room, op.user);
        if ('ok' in a) return a;
        list.push(a);
        files.push(id);
      }
      wire.attachments = list;
    }
    const mentioned = this.mentions(op.body, op.room);
    if (mentioned.length > 0) wire.mentions = mentioned.map(String);
    const plain = wire.replyTo === undefined && wire.attachments === undefined && wire.mentions === undefined;
    return { json: plain ? null : JSON.stringify(wire), wire: plain ? null : wire, mentioned, files };
  }

  /** After the message row is written: mention rows (for unread counts) and file links. */
  record(op: SendOp, seq: number, extras: PreparedExtras): void {
    this.recordMentions(op.room, seq, op.user, extras.mentioned);
    if (extras.files.length > 0) this.files.attach(op.room, seq, extras.files);
  }

  /** Mention rows of one message: who it mentions, its sender aside (one's own name is no news). */
  recordMentions(room: number, seq: number, sender: number, mentioned: readonly number[]): void {
    for (const user of mentioned) if (user !== sender) this.insertMention.run(user, room, seq);
  }

  /** Members of `room` that `body` mentions by name, in order, at most MAX_MENTIONS names tried. */
  mentions(body: string, room: number): number[] {
    if (!body.includes('@')) return [];
    const out: number[] = [];
    const seen = new Set<string>();
    for (const m of body.matchAll(MENTION)) {
      const raw = m[1] ?? '';
      // "@bob." at the end of a sentence: try the name without trailing punctuation too.
      for (const name of raw === raw.replace(/[._-]+$/, '') ? [raw] : [raw, raw.replace(/[._-]+$/, '')]) {
        const key = name.toLowerCase();
        if (name === '' || seen.has(key)) continue;
        seen.add(key);
        const id = this.userId(key);
        if (id !== undefined && this.isMember.get(room, id) !== undefined && !out.includes(id)) {
          out.push(id);
          break;
        }
      }
      if (seen.size >= MAX_MENTIONS) break;
    }
    return out;
  }

  private userId(lowerName: string): number | undefined {
    const cached = this.userIds.get(lowerName);
    if (cached !== undefined) return cached;
    const row = this.userByName.get(lowerName);
    // Only hits are cached: a name that is nobody's today may be a new user's tomorrow.
    if (row !== undefined) this.userIds.set(lowerName, row.id);
    return row?.id;
  }
}
