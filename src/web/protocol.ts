/**
 * The wire protocol as the browser sees it (docs/protocol.md). The shapes the
 * server defines come from src/protocol/ (frames.ts, server-frames.ts) as
 * types only (erased by the bundler, so no server module enters the bundle);
 * client-side shapes follow.
 */
import type {
  DirectoryEntry, HistoryName, InviteEntry, JoinRuleName, PublicProfile, RoomEvent, RoomRoleName, RoomSummary, SearchHit, WireMessage,
} from '../protocol/frames.js';
import type { PresenceState, RateLimits, ServerFrame as BaseServerFrame, SyncedRoom, WireChange } from '../protocol/server-frames.js';

export type { PresenceState, RateLimits, RoomSummary, SearchHit, SyncedRoom, WireMessage };

export type { DirectoryEntry, InviteEntry, PublicProfile, RoomEvent };
export type RoomRole = RoomRoleName;
export type JoinRule = JoinRuleName;
export type HistoryRule = HistoryName;
export type Attachment = NonNullable<WireMessage['attachments']>[number];
export type Reaction = NonNullable<WireMessage['reactions']>[number];
export type NotifyLevel = 'all' | 'mentions' | 'none';

/** An edit, deletion or reaction: a live frame (with `room`) or a `sync` change entry (without). */
export type Change = WireChange;

export interface User { id: string; name: string; role: 'admin' | 'member' }
export interface Member { id: string; name: string; readSeq: number; bot?: true; displayName?: string }

export type ServerFrame = BaseServerFrame;
export type ServerFrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/** The answer to a `presence` frame that named a room (a push names none). */
export type PresenceReply = Extract<ServerFrame, { type: 'presence'; room: string }>;

export type ClientFrame =
  | { type: 'send'; room: string; body: string; clientMsgId: string; replyTo?: number; attachments?: string[] }
  | { type: 'sync'; since: Record<string, number>; changesSince?: Record<string, number>; limit?: number }
  | { type: 'edit'; room: string; seq: number; body: string }
  | { type: 'delete'; room: string; seq: number }
  | { type: 'react'; room: string; seq: number; emoji: string; on: boolean }
  | { type: 'notify'; room: string; muted?: boolean; level?: NotifyLevel }
  | { type: 'presence'; state: 'online' | 'away' }
  | { type: 'presence'; room: string }
  | { type: 'history'; room: string; before?: number; limit?: number }
  | { type: 'search'; query: string; room?: string; limit?: number; before?: number }
  | { type: 'read'; room: string; seq: number }
  | { type: 'typing'; room: string }
  | { type: 'rooms' }
  | { type: 'ping' }
  | { type: 'create_room'; name: string; topic?: string; invite?: string[]; joinRule?: JoinRule; history?: HistoryRule }
  | { type: 'open_direct'; user: string }
  | { type: 'invite'; room: string; user: string }
  | { type: 'join'; room: string }
  | { type: 'leave'; room: string }
  | { type: 'update_room'; room: string; name?: string; topic?: string; avatar?: string | null; joinRule?: JoinRule; history?: HistoryRule }
  | { type: 'set_role'; room: string; user: string; role: RoomRole }
  | { type: 'remove_member'; room: string; user: string }
  | { type: 'members'; room: string }
  | { type: 'directory' }
  | { type: 'invites' }
  | { type: 'users'; query?: string }
  | { type: 'set_profile'; displayName?: string; avatar?: string | null }
  | { type: 'profile'; user: string };

/** A reply that was an `error` frame, carried as an exception to the caller. */
export class ProtocolError extends Error {
  /** `retryAfterMs` of a `rate_limited` refusal: when the server will take a frame again. */
  /** `reason`: why a rule refused (a key of the server's REASONS), for a sentence the user understands. */
  constructor(readonly code: string, message: string, readonly retryAfterMs?: number, readonly reason?: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
