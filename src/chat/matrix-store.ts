import type {
  AccountDataRow, ChangeRow, DeviceRow, ReadsAfter, RoomInfo, RoomRange, StreamRow, UnreadRow, UserRow,
} from '../store/read/matrix-reader.js';

export type { AccountDataRow, ChangeRow, DeviceRow, ReadsAfter, RoomInfo, RoomRange, StreamRow, UnreadRow, UserRow };

/**
 * What the Matrix door reads besides the chat services: its own rows (devices,
 * filters, account data, the stream of changes) and the lookups that turn
 * Matrix ids back into Roost's. The store's MatrixReader implements it;
 * src/gateway/server.ts wires it in.
 */
export interface MatrixStore {
  /**
   * Runs `read` (synchronous) with every read inside it on one snapshot of the
   * database: one commit seen throughout, and the WAL read lock taken once
   * instead of per statement. Nested calls join the outer snapshot.
   */
  snapshot<T>(read: () => T): T;
  devices(user: number, now: number): DeviceRow[];
  filter(user: number, id: number): string | undefined;
  /** Highest message id and stream position now: the position an empty sync hands back. */
  positions(): { msg: number; stream: number };
  /** The highest message id now: the timeline position a sync reads up to. */
  lastMessageId(): number;
  /**
   * One room's timeline rows with `afterId` < id <= `throughId`: their first and last seq, or undefined when
   * none. At most `limit` rows are read (the newest): with more, `fromSeq` is the lowest of those read.
   */
  roomRange(room: number, afterId: number, throughId: number, limit: number): RoomRange | undefined;
  /** Rooms where the user has a standing (invited, left, removed): a sync looks there for their own invite or exit. */
  standingRooms(user: number): number[];
  streamAfter(pos: number, limit: number): StreamRow[];
  /**
   * The read marks moved by reading at stream positions `afterPos` < pos <= `throughPos`, every room's: about
   * `limit` of them at most, `through` lowered to the last position read whole when there are more.
   */
  readsAfter(afterPos: number, throughPos: number, limit: number): ReadsAfter;
  change(room: number, cseq: number): ChangeRow | undefined;
  /** The reaction a later `unreact` took back (its cseq), for the redaction that renders it. */
  reactionUndone(room: number, seq: number, user: number, emoji: string, beforeCseq: number): number | undefined;
  readSeq(room: number, user: number): number | undefined;
  /**
   * A member's unread counts, in one statement: the room's last seq, how many
   * timeline entries (joins, renames…) and mentions of them follow their read
   * mark (unread messages = the seqs after it less the entries).
   */
  unreadOf(room: number, user: number): UnreadRow;
  accountData(user: number, afterPos: number): AccountDataRow[];
  accountDataOf(user: number, room: number, type: string): string | undefined;
  user(id: number): UserRow | undefined;
  userByName(name: string): UserRow | undefined;
  room(id: number): RoomInfo | undefined;
  /** Rooms whose standing for the user is left or removed (for `forget` and leave sections). */
  standing(room: number, user: number): 'invited' | 'left' | 'removed' | undefined;
  /** The room and seq of a message id (a Roost `msgId`), or undefined once purged. */
  messageAt(msgId: number): { room: number; seq: number } | undefined;
  /** The sender's own id of a message (a Matrix send keeps its device and txn id there). */
  clientMsgId(room: number, seq: number): string | undefined;
  usersLike(query: string, limit: number): UserRow[];
}
