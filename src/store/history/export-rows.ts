import type { Statement } from 'better-sqlite3';
import { hex } from './chain.js';
import type { Db } from '../db/database.js';
import type { ExportAttachment, ExportRow, ExportStatus } from './export-format.js';
import { entryText } from './entry-text.js';
import { isEntryExtra } from '../write/room-timeline.js';
import type { RoomEvent } from '../../protocol/frames.js';

/** A message row as the export reads it, with its visible state (message_state) joined. */
export interface ExportMessageRow {
  id: number; seq: number; sender_id: number; client_msg_id: string; body: string; ts: number; hash: Buffer | null; extra: string | null;
  state_body: string | null; edited_at: number | null; deleted_at: number | null;
}

interface ChangeRow { cseq: number; kind: string; user_id: number; body: string | null; ts: number }
interface FileRow { id: string; name: string; size: number; mime: string; sha256: Buffer }

export const EXPORT_MESSAGES_SQL = `SELECT m.id, m.seq, m.sender_id, m.client_msg_id, m.body, m.ts, m.hash, m.extra,
    s.body AS state_body, s.edited_at, s.deleted_at
  FROM messages m LEFT JOIN message_state s ON s.room_id = m.room_id AND s.seq = m.seq
  WHERE m.room_id = ? AND m.ts >= ? AND m.ts < ? ORDER BY m.seq`;

export const DELETED_TEXT = '(deleted)';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Turns a stored message into what an export shows: the text people see now
 * (the current edit, or "(deleted)"), when it was edited or deleted, the files
 * it still carries with their content hash, and the change log. The stored,
 * chained `body` is kept beside it so the export can be verified on its own.
 */
export class ExportRows {
  private readonly changesOf: Statement<[number, number], ChangeRow>;
  private readonly filesOf: Statement<[number, number], FileRow>;

  constructor(db: Db, private readonly roomId: number, private readonly roomName: string, private readonly names: ReadonlyMap<number, string>) {
    this.changesOf = db.prepare('SELECT cseq, kind, user_id, body, ts FROM message_changes WHERE room_id = ? AND seq = ? ORDER BY cseq');
    this.filesOf = db.prepare(`SELECT f.id, f.name, f.size, f.mime, f.sha256 FROM message_files mf JOIN files f ON f.id = mf.file_id
      WHERE mf.room_id = ? AND mf.seq = ?`);
  }

  row(r: ExportMessageRow): ExportRow {
    const extra = r.extra === null ? undefined : JSON.parse(r.extra) as Record<string, unknown>;
    const deleted = r.deleted_at !== null;
    const edited = r.edited_at !== null;
    const status: ExportStatus = deleted ? '(deleted)' : edited ? '(edited)' : '';
    const row: ExportRow = {
      room: String(this.roomId), roomName: this.roomName, seq: r.seq, msgId: String(r.id), from: String(r.sender_id),
      fromName: this.name(r.sender_id), clientMsgId: r.client_msg_id, ts: iso(r.ts),
      text: deleted ? DELETED_TEXT : edited ? r.state_body ?? '' : r.body,
      status,
      editedAt: edited ? iso(r.edited_at ?? 0) : null,
      deletedAt: deleted ? iso(r.deleted_at ?? 0) : null,
      attachments: extra !== undefined && Array.isArray(extra.attachments) ? this.attachments(r.seq, extra.attachments) : [],
      body: r.body, hash: hex(r.hash),
    };
    if (extra !== undefined) row.extra = extra;
    // A room change reads as a line: "alice invited bob".
    if (isEntryExtra(r.extra) && extra !== undefined) row.text = entryText(extra.event as RoomEvent, this.name(r.sender_id), (id) => this.name(Number(id)));
    const changes = this.changesOf.all(this.roomId, r.seq);
    if (changes.length > 0) {
      row.changes = changes.map((c) => ({
        cseq: c.cseq, kind: c.kind, by: String(c.user_id), byName: this.name(c.user_id), ts: iso(c.ts),
        ...(c.kind === 'edit' ? (c.body === null ? {} : { body: c.body }) : c.kind === 'delete' ? {} : { emoji: c.body ?? '' }),
      }));
    }
    return row;
  }

  /**
   * The files the message still carries (a deletion releases them unless the
   * room is under legal hold), in the order it was sent with.
   */
  private attachments(seq: number, sent: unknown[]): ExportAttachment[] {
    const order = sent.map((a) => (typeof a === 'object' && a !== null && 'fileId' in a ? String(a.fileId) : ''));
    const position = (id: string): number => {
      const i = order.indexOf(id);
      return i === -1 ? order.length : i;
    };
    return this.filesOf.all(this.roomId, seq)
      .sort((a, b) => position(a.id) - position(b.id) || (a.id < b.id ? -1 : 1))
      .map((f) => ({ fileId: f.id, name: f.name, size: f.size, mime: f.mime, sha256: f.sha256.toString('hex') }));
  }

  private name(user: number): string {
    // Entries the server's operator made at the CLI are from user 0.
    return this.names.get(user) ?? (user === 0 ? 'an admin' : `user ${user}`);
  }
}
