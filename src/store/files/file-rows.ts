import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';
import type { FileRules } from '../write/room-rules.js';
import type { Done, GcDone, NewFile, WriteFailed, WriteOp } from '../write/write-ops.js';

/** What a message carries of a file, in the wire shape (`attachments` items). */
export interface WireAttachment {
  fileId: string;
  name: string;
  size: number;
  mime: string;
  width?: number;
  height?: number;
  /** True when GET /api/v1/files/:fileId/thumbnail has a small preview. */
  thumb?: true;
}

/**
 * The room of an upload made through the Matrix door, which names no room:
 * the first message that carries it places it in that message's room
 * (`attach`). Room ids start at 1 and avatars use 0 (avatar-files.ts).
 */
export const UNPLACED_ROOM = -1;

interface FileRow { id: string; room_id: number; uploader_id: number; size: number; mime: string; name: string; width: number | null; height: number | null; thumb: number }

export function wireAttachment(r: FileRow): WireAttachment {
  const a: WireAttachment = { fileId: r.id, name: r.name, size: r.size, mime: r.mime };
  if (r.width !== null && r.height !== null) {
    a.width = r.width;
    a.height = r.height;
  }
  if (r.thumb !== 0) a.thumb = true;
  return a;
}

/**
 * The writer thread's side of uploads: the row of a file whose bytes are in
 * place, the reference count kept by the messages that carry it, and the
 * collection of files nobody references. The bytes themselves are removed on
 * the event loop once a commit says no row names them (gateway/file-routes.ts
 * via store/blob-store.ts), never here: a crash between the two leaves an
 * orphaned blob, never a row without bytes.
 */
export class FileRows {
  private readonly byId: Statement<[string], FileRow>;
  private readonly usedBy: Statement<[number], { n: number }>;
  private readonly insert: Statement<[string, number, number, Buffer, number, string, string, number | null, number | null, number, number]>;
  private readonly place: Statement<[number, string]>;
  private readonly link: Statement<[number, number, string]>;
  private readonly addRef: Statement<[number, string]>;
  private readonly linkedTo: Statement<[number, number, number], { file_id: string }>;
  private readonly unlinkRange: Statement<[number, number, number]>;
  private readonly orphans: Statement<[number, number], { id: string; sha256: Buffer }>;
  private readonly orphanOf: Statement<[string], { sha256: Buffer; refs: number }>;
  private readonly remove: Statement<[string]>;
  private readonly shaInUse: Statement<[Buffer], { one: number }>;

  /** `rules`: policy.ts, injected by the writer thread; without them (sends-only set-ups) nothing can be attached. */
  constructor(db: Db, private readonly rules?: Pick<FileRules, 'mayAttachFile'>) {
    this.byId = db.prepare('SELECT id, room_id, uploader_id, size, mime, name, width, height, thumb FROM files WHERE id = ?');
    this.usedBy = db.prepare('SELECT coalesce(sum(size), 0) AS n FROM files WHERE uploader_id = ?');
    this.insert = db.prepare(`INSERT INTO files (id, room_id, uploader_id, sha256, size, mime, name, width, height, thumb, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.place = db.prepare(`UPDATE files SET room_id = ? WHERE id = ? AND room_id = ${UNPLACED_ROOM}`);
    this.link = db.prepare('INSERT OR IGNORE INTO message_files (room_id, seq, file_id) VALUES (?, ?, ?)');
    this.addRef = db.prepare('UPDATE files SET refs = refs + ? WHERE id = ?');
    this.linkedTo = db.prepare('SELECT file_id FROM message_files WHERE room_id = ? AND seq >= ? AND seq <= ?');
    this.unlinkRange = db.prepare('DELETE FROM message_files WHERE room_id = ? AND seq >= ? AND seq <= ?');
    this.orphans = db.prepare('SELECT id, sha256 FROM files WHERE refs = 0 AND created_at < ? ORDER BY created_at LIMIT +?');
    this.orphanOf = db.prepare('SELECT sha256, refs FROM files WHERE id = ?');
    this.remove = db.prepare('DELETE FROM files WHERE id = ?');
    this.shaInUse = db.prepare('SELECT 1 AS one FROM files WHERE sha256 = ? LIMIT 1');
  }

  /** The attachment a sender may put on a message in `room`: only their own upload to that room (or to none yet). */
  attachable(id: string, room: number, user: number): WireAttachment | WriteFailed {
    const row = this.byId.get(id);
    if (row === undefined) return { ok: false, code: 'not_found', message: `no file ${JSON.stringify(id)}` };
    if (this.rules?.mayAttachFile({ uploader: row.uploader_id === user, sameRoom: row.room_id === room, unplaced: row.room_id === UNPLACED_ROOM }) !== true) {
      return { ok: false, code: 'forbidden', message: 'only files you uploaded to this room can be attached' };
    }
    return wireAttachment(row);
  }

  /** Records that the message at (room, seq) carries these files; a file in no room yet is now in this one. */
  attach(room: number, seq: number, ids: readonly string[]): void {
    for (const id of ids) {
      this.place.run(room, id);
      if (this.link.run(room, seq, id).changes > 0) this.addRef.run(1, id);
    }
  }

  /**
   * Drops the links of messages seq in [from, through] (a deletion's scrub, a
   * retention purge); returns the files left with no message at all.
   */
  detach(room: number, from: number, through: number): string[] {
    const ids = this.linkedTo.all(room, from, through).map((r) => r.file_id);
    if (ids.length === 0) return [];
    this.unlinkRange.run(room, from, through);
    const orphaned: string[] = [];
    for (const id of ids) {
      this.addRef.run(-1, id);
      if (this.orphanOf.get(id)?.refs === 0) orphaned.push(id);
    }
    return orphaned;
  }

  /** Removes these file rows; returns the contents (sha256 hex) no row refers to any more. */
  forget(ids: readonly string[]): string[] {
    const shas = new Set<string>();
    for (const id of ids) {
      const row = this.orphanOf.get(id);
      if (row === undefined || row.refs !== 0) continue;
      this.remove.run(id);
      shas.add(row.sha256.toString('hex'));
    }
    return [...shas].filter((sha) => this.shaInUse.get(Buffer.from(sha, 'hex')) === undefined);
  }

  insertFile(f: NewFile, quota: number, now: number): Done | WriteFailed {
    if (quota > 0 && (this.usedBy.get(f.user)?.n ?? 0) + f.size > quota) {
      return { ok: false, code: 'too_large', message: `upload quota of ${quota} bytes reached; delete some files first` };
    }
    this.insert.run(f.id, f.room, f.user, Buffer.from(f.sha256, 'hex'), f.size, f.mime, f.name, f.width ?? null, f.height ?? null, f.thumb ? 1 : 0, now);
    return { ok: true };
  }

  /** Orphans past their grace period (an upload not yet sent is an orphan for a while). */
  collect(op: Extract<WriteOp, { k: 'gc-files' }>): GcDone {
    const rows = this.orphans.all(op.unpostedBefore, op.max);
    const freed = this.forget(rows.map((r) => r.id));
    return { ok: true, removed: rows.length, freed };
  }
}
