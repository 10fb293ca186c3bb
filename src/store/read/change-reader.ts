import type { Statement } from 'better-sqlite3';
import type { WireMessage } from '../../protocol/frames.js';
import type { WireChange } from '../../protocol/server-frames.js';
import type { Db } from '../db/database.js';

interface StateRow { seq: number; body: string | null; edited_at: number | null; deleted_at: number | null }
interface ReactionRow { seq: number; emoji: string; n: number; me: number }
interface ChangeRow {
  cseq: number; seq: number; kind: string; user_id: number; body: string | null; ts: number; current: string | null; deleted_at: number | null;
  /** For an edit: the users the current text mentions, comma-separated (null: none). */
  mentioned: string | null;
}

export type { WireChange };

export interface ChangePage { changes: WireChange[]; moreChanges: boolean; lastCseq: number }

export interface DownloadRow {
  id: string; room_id: number; uploader_id: number; sha256: Buffer; size: number; mime: string; name: string; thumb: number;
}

/**
 * The read side of edits, deletions and reactions on the event loop's read-only connection: every
 * query is a range scan of one room's primary key (a history page's seqs, a
 * change cursor) or a primary-key lookup. Statements are prepared on first use.
 */
export class ChangeReader {
  private st?: {
    state: Statement<[number, number, number], StateRow>;
    reactions: Statement<[number, number, number, number], ReactionRow>;
    changes: Statement<[number, number, number], ChangeRow>;
    mentions: Statement<[number, number, number], { seq: number; user_id: number }>;
    file: Statement<[string], DownloadRow>;
    visibleLink: Statement<[string, number], { one: number }>;
  };

  constructor(private readonly db: Db) {}

  private get s(): NonNullable<ChangeReader['st']> {
    this.st ??= {
      state: this.db.prepare('SELECT seq, body, edited_at, deleted_at FROM message_state WHERE room_id = ? AND seq >= ? AND seq <= ?'),
      reactions: this.db.prepare(`SELECT seq, emoji, count(*) AS n, max(user_id = ?) AS me FROM reactions
        WHERE room_id = ? AND seq >= ? AND seq <= ? GROUP BY seq, emoji`),
      changes: this.db.prepare(`SELECT c.cseq, c.seq, c.kind, c.user_id, c.body, c.ts, s.body AS current, s.deleted_at,
          CASE WHEN c.kind = 'edit' THEN (SELECT group_concat(x.user_id) FROM mentions x WHERE x.room_id = c.room_id AND x.seq = c.seq) END AS mentioned
        FROM message_changes c LEFT JOIN message_state s ON s.room_id = c.room_id AND s.seq = c.seq
        WHERE c.room_id = ? AND c.cseq > ? ORDER BY c.cseq LIMIT +?`),
      mentions: this.db.prepare('SELECT seq, user_id FROM mentions WHERE room_id = ? AND seq >= ? AND seq <= ?'),
      file: this.db.prepare('SELECT id, room_id, uploader_id, sha256, size, mime, name, thumb FROM files WHERE id = ?'),
      visibleLink: this.db.prepare(`SELECT 1 AS one FROM message_files mf
        LEFT JOIN message_state s ON s.room_id = mf.room_id AND s.seq = mf.seq
        WHERE mf.file_id = ? AND mf.seq >= ? AND s.deleted_at IS NULL LIMIT 1`),
    };
    return this.st;
  }

  /**
   * Applies edits, deletions and reactions to a page of messages (ascending
   * seqs of one room): two range queries for the whole page. A deleted
   * message stays as a tombstone so seqs stay gap-free; its text, files and
   * mentions are not shown. `me` is whether `viewer` reacted.
   */
  decorate(room: number, messages: WireMessage[], viewer: number): void {
    const first = messages[0];
    const last = messages[messages.length - 1];
    if (first === undefined || last === undefined) return;
    const bySeq = new Map<number, WireMessage>();
    for (const m of messages) bySeq.set(m.seq, m);
    const edited: WireMessage[] = [];
    for (const st of this.s.state.iterate(room, first.seq, last.seq)) {
      const m = bySeq.get(st.seq);
      if (m === undefined) continue;
      if (st.deleted_at !== null) {
        m.body = '';
        m.deleted = true;
        delete m.attachments;
        delete m.mentions;
      } else if (st.body !== null) {
        m.body = st.body;
        if (st.edited_at !== null) {
          m.editedAt = st.edited_at;
          edited.push(m);
        }
      }
    }
    if (edited.length > 0) this.currentMentions(room, edited);
    for (const r of this.s.reactions.iterate(viewer, room, first.seq, last.seq)) {
      const m = bySeq.get(r.seq);
      if (m === undefined || m.deleted === true) continue;
      (m.reactions ??= []).push({ emoji: r.emoji, count: r.n, me: r.me === 1 });
    }
  }

  /**
   * An edited message mentions whom its current text mentions: the mention
   * rows, which each edit rewrites (the ones stored with the message are the
   * original text's). One range scan of the room's mentions for the page.
   */
  private currentMentions(room: number, edited: readonly WireMessage[]): void {
    const users = new Map<number, string[]>();
    for (const m of edited) users.set(m.seq, []);
    const first = edited[0]?.seq ?? 0;
    const last = edited[edited.length - 1]?.seq ?? 0;
    for (const r of this.s.mentions.iterate(room, first, last)) users.get(r.seq)?.push(String(r.user_id));
    for (const m of edited) {
      const list = users.get(m.seq) ?? [];
      if (list.length > 0) m.mentions = list;
      else delete m.mentions;
    }
  }

  /** Changes after `after` in one room, ascending by cseq; superseded or deleted text is never returned. */
  changesSince(room: number, after: number, limit: number): ChangePage {
    const rows = this.s.changes.all(room, after, limit + 1);
    const moreChanges = rows.length > limit;
    if (moreChanges) rows.length = limit;
    const changes: WireChange[] = [];
    for (const r of rows) {
      if (r.kind === 'delete') changes.push({ cseq: r.cseq, type: 'deleted', seq: r.seq });
      else if (r.kind === 'react' || r.kind === 'unreact') {
        changes.push({ cseq: r.cseq, type: 'reaction', seq: r.seq, emoji: r.body ?? '', user: String(r.user_id), on: r.kind === 'react' });
      } else if (r.deleted_at === null && r.current !== null) {
        // Every edit entry carries the current text: the client ends in the right state whatever it saw before.
        changes.push({ cseq: r.cseq, type: 'edited', seq: r.seq, body: r.current, editedAt: r.ts, ...(r.mentioned !== null ? { mentions: r.mentioned.split(',') } : {}) });
      }
    }
    // The cursor is the last row read, not rooms.last_cseq: a commit between two statements must not be skipped.
    return { changes, moreChanges, lastCseq: Math.max(after, rows[rows.length - 1]?.cseq ?? 0) };
  }

  file(id: string): DownloadRow | undefined {
    return this.s.file.get(id);
  }

  /** True when some file row still names this content (sha256 hex). */
  hasContent(sha: string): boolean {
    this.contentUse ??= this.db.prepare('SELECT 1 AS one FROM files WHERE sha256 = ? LIMIT 1');
    return this.contentUse.get(Buffer.from(sha, 'hex')) !== undefined;
  }

  /** Bytes of files a user has stored (the quota's measure; the writer checks again). */
  usedBytes(user: number): number {
    this.usage ??= this.db.prepare('SELECT coalesce(sum(size), 0) AS n FROM files WHERE uploader_id = ?');
    return this.usage.get(user)?.n ?? 0;
  }

  private contentUse?: Statement<[Buffer], { one: number }>;
  private usage?: Statement<[number], { n: number }>;

  /** (room, user) pairs that muted the room: loaded once at start. */
  mutedMembers(): Array<{ room_id: number; user_id: number }> {
    return this.db.prepare('SELECT room_id, user_id FROM members WHERE muted = 1').all() as Array<{ room_id: number; user_id: number }>;
  }

  /** Every user's last-seen time (a small table: the people of one office). */
  lastSeen(): Array<{ id: number; last_seen_at: number | null }> {
    return this.db.prepare('SELECT id, last_seen_at FROM users').all() as Array<{ id: number; last_seen_at: number | null }>;
  }

  /** True when some message from seq `fromSeq` on that is not deleted carries the file. */
  postedFrom(id: string, fromSeq: number): boolean {
    return this.s.visibleLink.get(id, fromSeq) !== undefined;
  }
}
