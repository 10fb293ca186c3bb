import type { ErrorCode } from './errors.js';
import type {
  AckFields, DirectoryEntry, InvitedEntry, InviteEntry, MemberEntry, PublicProfile, ReceiptFrame, ReceiptsFrame, RoomSummary, SearchHit, UserEntry, WireMessage,
} from './frames.js';
import type { Reason } from './reasons.js';

/**
 * Every frame the server sends, as one union (docs/protocol.md describes each),
 * and its one encoder. Senders build a `ServerFrame` and encode it, so the
 * compiler holds each frame to its documented shape; clients (src/web/)
 * import the same types.
 */

/** An edit, deletion or reaction in a `synced` room: the live frame's shape without `room`. */
export type WireChange =
  | { cseq: number; type: 'edited'; seq: number; body: string; editedAt: number; mentions?: string[] }
  | { cseq: number; type: 'deleted'; seq: number }
  | { cseq: number; type: 'reaction'; seq: number; emoji: string; user: string; on: boolean };

/** One room's entry in a `synced` reply. */
export interface SyncedRoom {
  room: string;
  messages: WireMessage[];
  more: boolean;
  changes?: WireChange[];
  moreChanges?: boolean;
  lastCseq?: number;
}

/** The server's frame-rate settings as the `rooms` reply announces them (rate 0: no limit). */
export interface RateLimits { framesPerSecond: number; frameBurst: number; userFramesPerSecond: number; userFrameBurst: number }

export type PresenceState = 'online' | 'away' | 'offline';
export interface PresenceEntry { user: string; state: PresenceState; lastSeen: number | null }
/** A room's presence: counts, and each member for a room of at most `presenceMaxRoomSize`. */
export interface PresenceSnapshot { online: number; away: number; users?: PresenceEntry[] }

/** What happened to a room, in a `room` frame: its membership, an invitation, or its settings (`updated`, with `user` "0"). */
export type RoomEventName = 'created' | 'joined' | 'invited' | 'left' | 'updated';

// --- Replies: they echo the request's `id` when it had one.

export interface AckFrame extends AckFields { type: 'ack'; id?: string }
export interface SyncedFrame { type: 'synced'; id?: string; rooms: SyncedRoom[] }
/** `horizon`: the lowest seq retention kept, on the page that reaches the bottom of a purged room. */
export interface HistoryPageFrame { type: 'history'; id?: string; room: string; messages: WireMessage[]; more: boolean; horizon?: number }
export interface ResultsFrame { type: 'results'; id?: string; hits: SearchHit[] }
export interface RoomListFrame { type: 'rooms'; id?: string; rooms: RoomSummary[]; editWindowSeconds: number; rateLimits: RateLimits }
/**
 * Success of an action frame; `cseq` for a message change (the change's, or
 * the room's current when nothing changed); `room` for a room action (the
 * room's id), with `created` for `open_direct` (whether the room is new).
 */
export interface OkFrame { type: 'ok'; id?: string; cseq?: number; room?: string; created?: boolean }
export interface PongFrame { type: 'pong'; id?: string }
export interface MembersReplyFrame { type: 'members'; id?: string; room: string; members: MemberEntry[]; invited: InvitedEntry[] }
export interface DirectoryReplyFrame { type: 'directory'; id?: string; rooms: DirectoryEntry[] }
export interface InvitesReplyFrame { type: 'invites'; id?: string; invites: InviteEntry[] }
export interface UsersReplyFrame { type: 'users'; id?: string; users: UserEntry[] }
export interface PresenceReplyFrame extends PresenceSnapshot { type: 'presence'; id?: string; room: string }
/**
 * A refusal. `retryAfterMs`: when a rate-limited or overloaded client may ask
 * again; `reason`: finer than `code` (protocol/reasons.ts).
 */
export interface ErrorFrame { type: 'error'; id?: string; code: ErrorCode; message: string; retryAfterMs?: number; reason?: Reason }

// --- Unasked: what happened in a room, or to a user.

/** A message once durable; the live frame carries the sender's `clientMsgId` (stored messages do not). */
export interface MessageFrame extends WireMessage { type: 'message'; clientMsgId?: string }
export interface EditedFrame { type: 'edited'; room: string; seq: number; body: string; editedAt: number; cseq: number; mentions?: string[] }
export interface DeletedFrame { type: 'deleted'; room: string; seq: number; cseq: number }
export interface ReactionFrame { type: 'reaction'; room: string; seq: number; emoji: string; user: string; on: boolean; cseq: number }
export interface TypingNotice { type: 'typing'; room: string; user: string }
export interface RoomNotice { type: 'room'; room: string; event: RoomEventName; user: string }
/** A user's presence changed; no `room` (that is the reply to a `presence` frame that asked). */
export interface PresenceNotice { type: 'presence'; room?: undefined; user: string; state: PresenceState; lastSeen: number | null }

export type { ReceiptFrame, ReceiptsFrame };

/** A user's public profile: the answer to `profile` (with its `id`), and pushed to their rooms when it changes. */
export interface ProfileNotice extends PublicProfile { type: 'profile'; id?: string }

export type ServerFrame =
  | AckFrame
  | SyncedFrame
  | HistoryPageFrame
  | ResultsFrame
  | RoomListFrame
  | OkFrame
  | PongFrame
  | MembersReplyFrame
  | DirectoryReplyFrame
  | InvitesReplyFrame
  | UsersReplyFrame
  | PresenceReplyFrame
  | ErrorFrame
  | MessageFrame
  | EditedFrame
  | DeletedFrame
  | ReactionFrame
  | ReceiptFrame
  | ReceiptsFrame
  | TypingNotice
  | RoomNotice
  | PresenceNotice
  | ProfileNotice;

export type ServerFrameType = ServerFrame['type'];
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;

/**
 * The text of a frame. Write `type` first when building one: metrics label
 * frames by their leading `{"type":"…"` without parsing them.
 */
export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}
