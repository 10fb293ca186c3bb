import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';
import { IS_ENTRY_SQL } from '../write/room-timeline.js';

export interface DeviceRow { deviceId: string; name: string; ip: string; lastUsedAt: number; hash: string }

/** A room's timeline rows after a message id: the first and last seq of them. */
export interface RoomRange { room: number; fromSeq: number; toSeq: number }
/** A member's read mark and what follows it in the room: see `unreadOf`. */
export interface UnreadRow { read: number; lastSeq: number; entries: number; mentions: number }

/** A position in the Matrix stream: a change (ref: its cseq), account data (ref: the user) or a batch of read marks (see `readsAfter`). */
export interface StreamRow { pos: number; room: number; kind: 'change' | 'read' | 'account'; ref: number }
/** A member's read mark, moved by reading at a stream position. */
export interface ReadRow { room: number; user: number; seq: number }
/** Read marks moved after a stream position, and the position they were read through (all marks at or before it). */
export interface ReadsAfter { marks: ReadRow[]; through: number }

/** One row of a room's change log (an edit, deletion or reaction), as the door renders it. */
export interface ChangeRow {
  room: number; cseq: number; seq: number; kind: 'edit' | 'delete' | 'react' | 'unreact'; user: number; ts: number;
  /** The edit's text (or the reaction's emoji); null once scrubbed. */
  body: string | null;
}

export interface AccountDataRow { room: number; type: string; content: string; pos: number }

export interface UserRow { id: number; name: string; displayName: string; avatar: string | null }

export interface RoomInfo {
  id: number; name: string; kind: 'group' | 'direct'; topic: string; joinRule: 'invite' | 'public'; history: 'shared' | 'joined'; creator: number; lastSeq: number;
  /** The room picture's file id (an avatar upload), or null. */
  avatar: string | null;
}


interface RawUser { id: number; name: string; display_name: string; avatar: string | null }
const toUser = (r: RawUser): UserRow => ({ id: r.id, name: r.name, displayName: r.display_name, avatar: r.avatar });

/**
 * The Matrix door's reads on the event loop's read-only connection. Each is a
 * primary-key or index lookup, or a range scan after a position (message ids,
 * stream positions) bounded by a limit. Statements are prepared on first use.
 */
export class MatrixReader {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private q<R>(sql: string): Statement<unknown[], R> {
    let st = this.cache.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st as Statement<unknown[], R>;
  }

  snapshot<T>(read: () => T): T {
    // A statement outside a transaction takes and drops the WAL read lock itself: ~6 us here
    // against ~0.4 us inside one, and a sync runs a dozen.
    if (this.db.inTransaction) return read();
    this.q('BEGIN').run();
    try {
      return read();
    } finally {
      this.q('COMMIT').run();
    }
  }

  devices(user: number, now: number): DeviceRow[] {
    return this.q<{ device_id: string; device: string; ip: string; used: number; hash: Buffer }>(`
      SELECT device_id, device, CASE WHEN last_ip != '' THEN last_ip ELSE client_ip END AS ip, coalesce(last_used_at, created_at) AS used, hash
      FROM tokens WHERE user_id = ? AND device_id IS NOT NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at`)
      .all(user, now).map((r) => ({ deviceId: r.device_id, name: r.device, ip: r.ip, lastUsedAt: r.used, hash: r.hash.toString('hex') }));
  }

  filter(user: number, id: number): string | undefined {
    return this.q<{ body: string }>('SELECT body FROM matrix_filters WHERE user_id = ? AND id = ?').get(user, id)?.body;
  }

  positions(): { msg: number; stream: number } {
    const msg = this.q<{ n: number }>('SELECT coalesce(max(id), 0) AS n FROM messages').get()?.n ?? 0;
    const stream = this.q<{ n: number }>('SELECT coalesce(max(pos), 0) AS n FROM matrix_stream').get()?.n ?? 0;
    return { msg, stream };
  }

  lastMessageId(): number {
    return this.q<{ n: number }>('SELECT coalesce(max(id), 0) AS n FROM messages').get()?.n ?? 0;
  }

  roomRange(room: number, afterId: number, throughId: number, limit: number): RoomRange | undefined {
    // Within a room ids grow with seq (the one writer assigns both), so the rows after `afterId` are the room's
    // newest: walk back from its end and stop at the first older row; the walk costs what is new, not the room's size.
    let range: RoomRange | undefined;
    let seen = 0;
    for (const r of this.q<{ id: number; seq: number }>('SELECT id, seq FROM messages WHERE room_id = ? ORDER BY seq DESC').iterate(room) as Iterable<{ id: number; seq: number }>) {
      if (r.id <= afterId || seen >= limit) break;
      if (r.id > throughId) continue;
      if (range === undefined) range = { room, fromSeq: r.seq, toSeq: r.seq };
      else range.fromSeq = r.seq;
      seen++;
    }
    return range;
  }

  standingRooms(user: number): number[] {
    return this.q<{ room_id: number }>('SELECT room_id FROM room_standing WHERE user_id = ?').all(user).map((r) => r.room_id);
  }

  streamAfter(pos: number, limit: number): StreamRow[] {
    return this.q<{ pos: number; room_id: number; kind: StreamRow['kind']; ref: number }>('SELECT pos, room_id, kind, ref FROM matrix_stream WHERE pos > ? ORDER BY pos LIMIT +?')
      .all(pos, limit).map((r) => ({ pos: r.pos, room: r.room_id, kind: r.kind, ref: r.ref }));
  }

  readsAfter(afterPos: number, throughPos: number, limit: number): ReadsAfter {
    type Row = { room_id: number; user_id: number; read_seq: number; read_pos: number };
    const rows = this.q<Row>('SELECT room_id, user_id, read_seq, read_pos FROM members WHERE read_pos > ? AND read_pos <= ? ORDER BY read_pos LIMIT +?')
      .all(afterPos, throughPos, limit + 1);
    const mark = (r: Row): ReadRow => ({ room: r.room_id, user: r.user_id, seq: r.read_seq });
    const cut = rows[limit];
    if (cut === undefined) return { marks: rows.map(mark), through: throughPos };
    // Positions are told whole: up to the one the limit falls in, or that one alone (one batch's marks) when it is the first.
    if (rows[0]?.read_pos !== cut.read_pos) return { marks: rows.filter((r) => r.read_pos < cut.read_pos).map(mark), through: cut.read_pos - 1 };
    return { marks: this.q<Row>('SELECT room_id, user_id, read_seq, read_pos FROM members WHERE read_pos = ?').all(cut.read_pos).map(mark), through: cut.read_pos };
  }

  change(room: number, cseq: number): ChangeRow | undefined {
    const r = this.q<{ cseq: number; seq: number; kind: ChangeRow['kind']; user_id: number; ts: number; body: string | null }>(`
      SELECT c.cseq, c.seq, c.kind, c.user_id, c.ts, coalesce(c.body, CASE WHEN c.kind = 'edit' THEN s.body END) AS body
      FROM message_changes c LEFT JOIN message_state s ON s.room_id = c.room_id AND s.seq = c.seq
      WHERE c.room_id = ? AND c.cseq = ?`).get(room, cseq);
    return r === undefined ? undefined : { room, cseq: r.cseq, seq: r.seq, kind: r.kind, user: r.user_id, ts: r.ts, body: r.body };
  }

  reactionUndone(room: number, seq: number, user: number, emoji: string, beforeCseq: number): number | undefined {
    return this.q<{ n: number | null }>(`SELECT max(cseq) AS n FROM message_changes
      WHERE room_id = ? AND seq = ? AND user_id = ? AND kind = 'react' AND body = ? AND cseq < ?`).get(room, seq, user, emoji, beforeCseq)?.n ?? undefined;
  }

  readSeq(room: number, user: number): number | undefined {
    return this.q<{ read_seq: number }>('SELECT read_seq FROM members WHERE room_id = ? AND user_id = ?').get(room, user)?.read_seq;
  }

  unreadOf(room: number, user: number): UnreadRow {
    // Entries through the partial index messages_entries, mentions by their primary key: both ranges start at the mark.
    const r = this.q<UnreadRow>(`SELECT me.read_seq AS read, r.last_seq AS lastSeq,
        (SELECT count(*) FROM messages m WHERE m.room_id = me.room_id AND m.seq > me.read_seq AND ${IS_ENTRY_SQL}) AS entries,
        (SELECT count(*) FROM mentions x WHERE x.user_id = me.user_id AND x.room_id = me.room_id AND x.seq > me.read_seq) AS mentions
      FROM members me JOIN rooms r ON r.id = me.room_id WHERE me.room_id = ? AND me.user_id = ?`).get(room, user);
    return r ?? { read: 0, lastSeq: 0, entries: 0, mentions: 0 };
  }

  accountData(user: number, afterPos: number): AccountDataRow[] {
    return this.q<{ room_id: number; type: string; content: string; pos: number }>('SELECT room_id, type, content, pos FROM matrix_account_data WHERE user_id = ? AND pos > ? ORDER BY pos')
      .all(user, afterPos).map((r) => ({ room: r.room_id, type: r.type, content: r.content, pos: r.pos }));
  }

  accountDataOf(user: number, room: number, type: string): string | undefined {
    return this.q<{ content: string }>('SELECT content FROM matrix_account_data WHERE user_id = ? AND room_id = ? AND type = ?').get(user, room, type)?.content;
  }

  user(id: number): UserRow | undefined {
    const r = this.q<RawUser>('SELECT id, name, display_name, avatar FROM users WHERE id = ?').get(id);
    return r === undefined ? undefined : toUser(r);
  }

  userByName(name: string): UserRow | undefined {
    const r = this.q<RawUser>('SELECT id, name, display_name, avatar FROM users WHERE name = ?').get(name);
    return r === undefined ? undefined : toUser(r);
  }

  room(id: number): RoomInfo | undefined {
    const r = this.q<{ id: number; name: string; kind: 'group' | 'direct'; topic: string; join_rule: 'invite' | 'public'; history: 'shared' | 'joined'; last_seq: number; creator: number | null; avatar: string | null }>(`
      SELECT r.id, r.name, r.kind, r.topic, r.join_rule, r.history, r.last_seq, r.avatar,
        coalesce((SELECT sender_id FROM messages WHERE room_id = r.id AND seq = 1),
                 (SELECT user_id FROM members WHERE room_id = r.id ORDER BY joined_at LIMIT 1)) AS creator
      FROM rooms r WHERE r.id = ?`).get(id);
    return r === undefined ? undefined
      : { id: r.id, name: r.name, kind: r.kind, topic: r.topic, joinRule: r.join_rule, history: r.history, creator: r.creator ?? 0, lastSeq: r.last_seq, avatar: r.avatar };
  }

  standing(room: number, user: number): 'invited' | 'left' | 'removed' | undefined {
    return this.q<{ state: 'invited' | 'left' | 'removed' }>('SELECT state FROM room_standing WHERE room_id = ? AND user_id = ?').get(room, user)?.state;
  }

  messageAt(msgId: number): { room: number; seq: number } | undefined {
    const r = this.q<{ room_id: number; seq: number }>('SELECT room_id, seq FROM messages WHERE id = ?').get(msgId);
    return r === undefined ? undefined : { room: r.room_id, seq: r.seq };
  }

  clientMsgId(room: number, seq: number): string | undefined {
    return this.q<{ client_msg_id: string }>('SELECT client_msg_id FROM messages WHERE room_id = ? AND seq = ?').get(room, seq)?.client_msg_id;
  }

  usersLike(query: string, limit: number): UserRow[] {
    const q = query.toLowerCase();
    return this.q<RawUser>(`SELECT id, name, display_name, avatar FROM users
      WHERE disabled = 0 AND (instr(lower(name), ?) > 0 OR instr(lower(display_name), ?) > 0) ORDER BY name LIMIT +?`).all(q, q, limit).map(toUser);
  }
}
