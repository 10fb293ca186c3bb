import type { Statement } from 'better-sqlite3';
import type { RoomSummary, WireMessage } from '../../protocol/frames.js';
import { ChangeReader, type ChangePage } from './change-reader.js';
import type { Db } from '../db/database.js';

interface MessageRow { id: number; seq: number; sender_id: number; body: string; ts: number; extra: string | null }
interface RoomRow {
  id: number; name: string; kind: 'group' | 'direct'; last_seq: number; read_seq: number; peer: string | null;
  last_cseq: number; muted: number; notify: 'all' | 'mentions' | 'none'; mentions: number;
}

/**
 * `horizon`: set when a history page reaches the bottom of a room whose oldest
 * messages were purged by retention: the lowest seq still kept.
 */
export interface Page { messages: WireMessage[]; more: boolean; horizon?: number }

export interface TokenInfo {
  userId: number;
  name: string;
  role: 'admin' | 'member';
  expiresAt: number;
  /** When the token was last used (its creation when never), for the hourly sliding-expiry refresh. */
  lastUsedAt: number;
}

interface MemberRow { user_id: number; name: string; read_seq: number }
export interface RoomMember { id: string; name: string; readSeq: number }
export interface DirectoryUser { id: number; name: string; role: 'admin' | 'member'; disabled: number; created_at: number }
export interface DirectoryRoom { id: number; name: string; kind: 'group' | 'direct'; last_seq: number; created_at: number }

export interface EventRow { id: number; kind: string; room_id: number | null; user_id: number | null }

function toWire(room: string, r: MessageRow): WireMessage {
  const m: WireMessage = { room, seq: r.seq, msgId: String(r.id), from: String(r.sender_id), body: r.body, ts: r.ts };
  // Replies, attachments, mentions: stored in wire form.
  return r.extra === null ? m : { ...m, ...(JSON.parse(r.extra) as Partial<WireMessage>) };
}

/**
 * Indexed reads on a read-only connection: each is a short range scan on a
 * primary key or index, measured well under a millisecond, so they may run on
 * the event loop. Anything that can take longer (search) lives elsewhere.
 */
export class Reader {
  private readonly olderThan: Statement<[number, number, number], MessageRow>;
  private readonly newerThan: Statement<[number, number, number], MessageRow>;
  private readonly roomsOf: Statement<[number], RoomRow>;
  private readonly allMembers: Statement<[], { room_id: number; user_id: number }>;
  private readonly eventsAfter: Statement<[number], EventRow>;
  private readonly lastEvent: Statement<[], { id: number | null }>;
  private readonly roomMembers: Statement<[number], { user_id: number }>;

  /** Edits, deletions, reactions, files. */
  readonly changes: ChangeReader;

  constructor(readonly db: Db) {
    this.changes = new ChangeReader(db);
    this.olderThan = db.prepare(
      'SELECT id, seq, sender_id, body, ts, extra FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    );
    this.newerThan = db.prepare(
      'SELECT id, seq, sender_id, body, ts, extra FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?',
    );
    this.roomsOf = db.prepare(`
      SELECT r.id, r.name, r.kind, r.last_seq, m.read_seq, r.last_cseq, m.muted, m.notify,
        (SELECT count(*) FROM mentions x WHERE x.user_id = m.user_id AND x.room_id = r.id AND x.seq > m.read_seq) AS mentions,
        CASE WHEN r.kind = 'direct' THEN (
          SELECT u.name FROM members o JOIN users u ON u.id = o.user_id
          WHERE o.room_id = r.id AND o.user_id != m.user_id LIMIT 1) END AS peer
      FROM members m JOIN rooms r ON r.id = m.room_id
      WHERE m.user_id = ? ORDER BY r.id`);
    this.allMembers = db.prepare('SELECT room_id, user_id FROM members');
    this.eventsAfter = db.prepare('SELECT id, kind, room_id, user_id FROM events WHERE id > ? ORDER BY id LIMIT 1000');
    this.lastEvent = db.prepare('SELECT max(id) AS id FROM events');
    this.roomMembers = db.prepare('SELECT user_id FROM members WHERE room_id = ?');
  }

  /** Up to `limit` messages below `before` (exclusive), ascending; `more` when older ones remain. */
  history(room: number, before: number | undefined, limit: number, viewer = 0): Page {
    const rows = this.olderThan.all(room, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const key = String(room);
    const messages = new Array<WireMessage>(rows.length);
    for (let i = 0; i < rows.length; i++) messages[rows.length - 1 - i] = toWire(key, rows[i] as MessageRow);
    this.changes.decorate(room, messages, viewer);
    if (more) return { messages, more };
    // The bottom of the room: say where retention cut it, if it did (one primary-key lookup).
    this.purgedThrough ??= this.db.prepare('SELECT through_seq FROM purge_checkpoints WHERE room_id = ?');
    const cut = this.purgedThrough.get(room);
    return cut === undefined ? { messages, more } : { messages, more, horizon: cut.through_seq + 1 };
  }

  private purgedThrough?: Statement<[number], { through_seq: number }>;

  /** Up to `limit` messages after `after` (exclusive), ascending; `more` when newer ones remain. */
  since(room: number, after: number, limit: number, viewer = 0): Page {
    const rows = this.newerThan.all(room, after, limit + 1);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const key = String(room);
    const messages = rows.map((r) => toWire(key, r));
    this.changes.decorate(room, messages, viewer);
    return { messages, more };
  }

  changesSince(room: number, after: number, limit: number): ChangePage {
    return this.changes.changesSince(room, after, limit);
  }

  rooms(user: number): RoomSummary[] {
    return this.roomsOf.all(user).map((r) => ({
      room: String(r.id),
      name: r.kind === 'direct' && r.peer !== null ? r.peer : r.name,
      kind: r.kind,
      lastSeq: r.last_seq,
      readSeq: Math.min(r.read_seq, r.last_seq),
      unread: Math.max(0, r.last_seq - r.read_seq),
      // Present only when not the default (absent: 0 mentions, cseq 0, not muted, notify "all").
      ...(r.mentions > 0 ? { mentions: r.mentions } : {}),
      ...(r.last_cseq > 0 ? { lastCseq: r.last_cseq } : {}),
      ...(r.muted !== 0 ? { muted: true } : {}),
      ...(r.notify !== 'all' ? { notify: r.notify } : {}),
    }));
  }

  memberships(): Array<{ room_id: number; user_id: number }> {
    return this.allMembers.all();
  }

  membersOf(room: number): number[] {
    return this.roomMembers.all(room).map((r) => r.user_id);
  }

  eventsSince(id: number): EventRow[] {
    return this.eventsAfter.all(id);
  }

  latestEventId(): number {
    return this.lastEvent.get()?.id ?? 0;
  }

  // --- Directory reads for the web client and the admin page. Prepared on first use.

  private membersWithNames?: Statement<[number], MemberRow>;
  private userDirectory?: Statement<[number], DirectoryUser>;
  private roomDirectory?: Statement<[number], DirectoryRoom>;
  private memberDirectory?: Statement<[number], { room_id: number; user_id: number }>;

  /** A room's members with their names and read markers (primary-key range scan on members). */
  membersOfWithNames(room: number): RoomMember[] {
    this.membersWithNames ??= this.db.prepare(`
      SELECT m.user_id, u.name, m.read_seq FROM members m JOIN users u ON u.id = m.user_id
      WHERE m.room_id = ? ORDER BY u.name`);
    return this.membersWithNames.all(room).map((r) => ({ id: String(r.user_id), name: r.name, readSeq: r.read_seq }));
  }

  private activeUser?: Statement<[number], { ok: number }>;

  /** Whether the user exists and is not disabled: what a file link's holder must still be. */
  isActiveUser(id: number): boolean {
    this.activeUser ??= this.db.prepare('SELECT 1 AS ok FROM users WHERE id = ? AND disabled = 0');
    return this.activeUser.get(id) !== undefined;
  }

  /** Every user, for the admin page: a scan of a small table (the people of one LAN), capped at `limit`. */
  allUsers(limit: number): DirectoryUser[] {
    this.userDirectory ??= this.db.prepare('SELECT id, name, role, disabled, created_at FROM users ORDER BY name LIMIT ?');
    return this.userDirectory.all(limit);
  }

  /** Every room with its member ids, for the admin page; capped at `limit` rooms. */
  allRooms(limit: number): Array<DirectoryRoom & { members: string[] }> {
    this.roomDirectory ??= this.db.prepare('SELECT id, name, kind, last_seq, created_at FROM rooms ORDER BY id LIMIT ?');
    this.memberDirectory ??= this.db.prepare('SELECT room_id, user_id FROM members WHERE room_id <= ? ORDER BY room_id, user_id');
    const rooms = this.roomDirectory.all(limit).map((r) => ({ ...r, members: [] as string[] }));
    const last = rooms[rooms.length - 1];
    if (last === undefined) return rooms;
    const byId = new Map(rooms.map((r) => [r.id, r]));
    for (const m of this.memberDirectory.all(last.id)) byId.get(m.room_id)?.members.push(String(m.user_id));
    return rooms;
  }
}
