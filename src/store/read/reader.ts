import type { Statement } from 'better-sqlite3';
import type {
  DirectoryEntry, HistoryName, InvitedEntry, InviteEntry, JoinRuleName, MemberEntry, RoomRoleName, RoomSummary, UserEntry, WireMessage,
} from '../../protocol/frames.js';
import { IS_ENTRY_SQL } from '../write/room-timeline.js';
import { ChangeReader, type ChangePage } from './change-reader.js';
import type { Db } from '../db/database.js';

interface MessageRow { id: number; seq: number; sender_id: number; body: string; ts: number; extra: string | null }
interface RoomRow {
  id: number; name: string; kind: 'group' | 'direct'; last_seq: number; read_seq: number; peer: string | null; peer_id: number | null;
  last_cseq: number; muted: number; notify: 'all' | 'mentions' | 'none'; mentions: number;
  topic: string; avatar: string | null; join_rule: JoinRuleName; history: HistoryName; role: RoomRoleName; members: number; entries: number;
}

/** A joined member as the membership cache loads them: the effective role (a server admin counts as owner). */
export interface MembershipRow { room_id: number; user_id: number; role: RoomRoleName; joined_seq: number; history: HistoryName }

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

interface MemberRow { user_id: number; name: string; read_seq: number; kind: string; display_name: string }
/** `bot` and `displayName` only for bots: what a client needs to mark them and show the hook's name. */
export interface RoomMember { id: string; name: string; readSeq: number; bot?: true; displayName?: string }
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
  private readonly allMembers: Statement<[], MembershipRow>;
  private readonly oneMember: Statement<[number, number], MembershipRow>;
  private readonly eventsAfter: Statement<[number], EventRow>;
  private readonly lastEvent: Statement<[], { id: number | null }>;
  private readonly roomMembers: Statement<[number], { user_id: number }>;

  /** Edits, deletions, reactions, files. */
  readonly changes: ChangeReader;

  constructor(readonly db: Db) {
    this.changes = new ChangeReader(db);
    this.olderThan = db.prepare(
      'SELECT id, seq, sender_id, body, ts, extra FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT +?',
    );
    this.newerThan = db.prepare(
      'SELECT id, seq, sender_id, body, ts, extra FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT +?',
    );
    // Unread counts messages only: entries after the marker are counted (a range scan of the
    // messages_entries index, which holds entries alone) and taken off.
    this.roomsOf = db.prepare(`
      SELECT r.id, r.name, r.kind, r.last_seq, me.read_seq, r.last_cseq, me.muted, me.notify,
        r.topic, r.avatar, r.join_rule, r.history,
        CASE WHEN (SELECT role FROM users WHERE id = me.user_id) = 'admin' AND r.kind = 'group' THEN 'owner' ELSE me.role END AS role,
        (SELECT count(*) FROM members c WHERE c.room_id = r.id) AS members,
        (SELECT count(*) FROM messages m WHERE m.room_id = r.id AND m.seq > me.read_seq AND ${IS_ENTRY_SQL}) AS entries,
        (SELECT count(*) FROM mentions x WHERE x.user_id = me.user_id AND x.room_id = r.id AND x.seq > me.read_seq) AS mentions,
        CASE WHEN r.kind = 'direct' THEN (
          SELECT u.name FROM members o JOIN users u ON u.id = o.user_id
          WHERE o.room_id = r.id AND o.user_id != me.user_id LIMIT 1) END AS peer,
        CASE WHEN r.kind = 'direct' THEN (
          SELECT CAST(substr(r.direct_key, 1, instr(r.direct_key, ':') - 1) AS INTEGER) + CAST(substr(r.direct_key, instr(r.direct_key, ':') + 1) AS INTEGER) - me.user_id
        ) END AS peer_id
      FROM members me JOIN rooms r ON r.id = me.room_id
      WHERE me.user_id = ? ORDER BY r.id`);
    const membership = `SELECT m.room_id, m.user_id, m.joined_seq, r.history,
        CASE WHEN u.role = 'admin' AND r.kind = 'group' THEN 'owner' ELSE m.role END AS role
      FROM members m JOIN rooms r ON r.id = m.room_id JOIN users u ON u.id = m.user_id`;
    this.allMembers = db.prepare(membership);
    this.oneMember = db.prepare(`${membership} WHERE m.room_id = ? AND m.user_id = ?`);
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
      unread: Math.max(0, r.last_seq - r.read_seq - r.entries),
      topic: r.topic,
      ...(r.avatar !== null ? { avatar: r.avatar } : {}),
      joinRule: r.join_rule,
      history: r.history,
      role: r.role,
      members: r.members,
      ...(r.peer_id !== null ? { peer: String(r.peer_id) } : {}),
      // Present only when not the default (absent: 0 mentions, cseq 0, not muted, notify "all").
      ...(r.mentions > 0 ? { mentions: r.mentions } : {}),
      ...(r.last_cseq > 0 ? { lastCseq: r.last_cseq } : {}),
      ...(r.muted !== 0 ? { muted: true } : {}),
      ...(r.notify !== 'all' ? { notify: r.notify } : {}),
    }));
  }

  memberships(): MembershipRow[] {
    return this.allMembers.all();
  }

  /** One joined member's row, or undefined when they are not joined (the truth the cache is mended from). */
  membershipOf(room: number, user: number): MembershipRow | undefined {
    return this.oneMember.get(room, user);
  }

  private entryAt?: Statement<[number, number], MessageRow>;

  /** The `message` frame of one stored row (a timeline entry the CLI wrote), or undefined once purged. */
  messageFrame(room: number, seq: number): string | undefined {
    this.entryAt ??= this.db.prepare('SELECT id, seq, sender_id, body, ts, extra FROM messages WHERE room_id = ? AND seq = ?');
    const row = this.entryAt.get(room, seq);
    return row === undefined ? undefined : JSON.stringify({ type: 'message', ...toWire(String(room), row) });
  }

  // --- Room directory reads (members, public rooms, invitations, people). Prepared on first use.

  private roomMemberList?: Statement<[number], { user_id: number; role: RoomRoleName; kind: string }>;
  private roomInvited?: Statement<[number], { user_id: number; by_user: number | null }>;
  private publicRooms?: Statement<[number], { id: number; name: string; topic: string; avatar: string | null; members: number }>;
  private pendingInvites?: Statement<[number], { id: number; name: string; topic: string; by_user: number | null; at: number }>;
  private peopleAll?: Statement<[number], { id: number; name: string; display_name: string; avatar: string | null; kind: string }>;
  private peopleLike?: Statement<[string, string, number], { id: number; name: string; display_name: string; avatar: string | null; kind: string }>;

  /** A room's joined members with their (stored) roles, and its pending invitations. */
  memberList(room: number): { members: MemberEntry[]; invited: InvitedEntry[] } {
    return { members: this.joinedMembers(room), invited: this.invitedTo(room) };
  }

  /** A room's joined members by user id, with their (stored) roles. */
  joinedMembers(room: number): MemberEntry[] {
    this.roomMemberList ??= this.db.prepare('SELECT m.user_id, m.role, u.kind FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = ? ORDER BY m.user_id');
    return this.roomMemberList.all(room).map((r) => ({ user: String(r.user_id), role: r.role, ...(r.kind === 'bot' ? { bot: true as const } : {}) }));
  }

  /** A room's pending invitations by user id. */
  invitedTo(room: number): InvitedEntry[] {
    this.roomInvited ??= this.db.prepare("SELECT user_id, by_user FROM room_standing WHERE room_id = ? AND state = 'invited' ORDER BY user_id");
    return this.roomInvited.all(room).map((r) => ({ user: String(r.user_id), by: String(r.by_user ?? 0) }));
  }

  /** Public group rooms, at most `limit` (a scan of the rooms table: the rooms of one household). */
  directory(limit: number): DirectoryEntry[] {
    this.publicRooms ??= this.db.prepare(`SELECT r.id, r.name, r.topic, r.avatar, (SELECT count(*) FROM members c WHERE c.room_id = r.id) AS members
      FROM rooms r WHERE r.kind = 'group' AND r.join_rule = 'public' ORDER BY r.name COLLATE NOCASE LIMIT +?`);
    return this.publicRooms.all(limit).map((r) => ({
      room: String(r.id), name: r.name, topic: r.topic, ...(r.avatar !== null ? { avatar: r.avatar } : {}), members: r.members,
    }));
  }

  /** The user's pending invitations (room_standing_by_user index). */
  invitesOf(user: number): InviteEntry[] {
    this.pendingInvites ??= this.db.prepare(`SELECT r.id, r.name, r.topic, s.by_user, s.at FROM room_standing s JOIN rooms r ON r.id = s.room_id
      WHERE s.user_id = ? AND s.state = 'invited' ORDER BY s.at`);
    return this.pendingInvites.all(user).map((r) => ({ room: String(r.id), name: r.name, topic: r.topic, by: String(r.by_user ?? 0), at: r.at }));
  }

  /** Enabled users whose name or display name contains `query` (case-insensitive), at most `limit`. */
  people(query: string | undefined, limit: number): UserEntry[] {
    let rows;
    if (query === undefined) {
      this.peopleAll ??= this.db.prepare('SELECT id, name, display_name, avatar, kind FROM users WHERE disabled = 0 ORDER BY name LIMIT +?');
      rows = this.peopleAll.all(limit);
    } else {
      this.peopleLike ??= this.db.prepare(`SELECT id, name, display_name, avatar, kind FROM users
        WHERE disabled = 0 AND (instr(lower(name), ?) > 0 OR instr(lower(display_name), ?) > 0) ORDER BY name LIMIT +?`);
      const q = query.toLowerCase();
      rows = this.peopleLike.all(q, q, limit);
    }
    return rows.map((r) => ({
      user: String(r.id), name: r.name, displayName: r.display_name, ...(r.avatar !== null ? { avatar: r.avatar } : {}), ...(r.kind === 'bot' ? { bot: true as const } : {}),
    }));
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
      SELECT m.user_id, u.name, m.read_seq, u.kind, u.display_name FROM members m JOIN users u ON u.id = m.user_id
      WHERE m.room_id = ? ORDER BY u.name`);
    return this.membersWithNames.all(room).map((r) => ({
      id: String(r.user_id), name: r.name, readSeq: r.read_seq, ...(r.kind === 'bot' ? { bot: true as const, displayName: r.display_name } : {}),
    }));
  }

  private activeUser?: Statement<[number], { ok: number }>;

  /** Whether the user exists and is not disabled: what a file link's holder must still be. */
  isActiveUser(id: number): boolean {
    this.activeUser ??= this.db.prepare('SELECT 1 AS ok FROM users WHERE id = ? AND disabled = 0');
    return this.activeUser.get(id) !== undefined;
  }

  /** Every user, for the admin page: a scan of a small table (the people of one LAN), capped at `limit`. */
  allUsers(limit: number): DirectoryUser[] {
    this.userDirectory ??= this.db.prepare('SELECT id, name, role, disabled, created_at FROM users ORDER BY name LIMIT +?');
    return this.userDirectory.all(limit);
  }

  /** Every room with its member ids, for the admin page; capped at `limit` rooms. */
  allRooms(limit: number): Array<DirectoryRoom & { members: string[] }> {
    this.roomDirectory ??= this.db.prepare('SELECT id, name, kind, last_seq, created_at FROM rooms ORDER BY id LIMIT +?');
    this.memberDirectory ??= this.db.prepare('SELECT room_id, user_id FROM members WHERE room_id <= ? ORDER BY room_id, user_id');
    const rooms = this.roomDirectory.all(limit).map((r) => ({ ...r, members: [] as string[] }));
    const last = rooms[rooms.length - 1];
    if (last === undefined) return rooms;
    const byId = new Map(rooms.map((r) => [r.id, r]));
    for (const m of this.memberDirectory.all(last.id)) byId.get(m.room_id)?.members.push(String(m.user_id));
    return rooms;
  }
}
