/**
 * The wire protocol as the browser sees it (docs/protocol.md). The shapes the
 * server defines come from src/protocol/ (frames.ts, server-frames.ts) as
 * types only (erased by the bundler, so no server module enters the bundle);
 * client-side shapes follow.
 */
import type { RoomSummary, SearchHit, WireMessage } from '../protocol/frames.js';
import type { PresenceState, RateLimits, ServerFrame, ServerFrameOf, SyncedRoom, WireChange } from '../protocol/server-frames.js';

export type { PresenceState, RateLimits, RoomSummary, SearchHit, ServerFrame, ServerFrameOf, SyncedRoom, WireMessage };
export type Attachment = NonNullable<WireMessage['attachments']>[number];
export type Reaction = NonNullable<WireMessage['reactions']>[number];
export type NotifyLevel = 'all' | 'mentions' | 'none';

/** An edit, deletion or reaction: a live frame (with `room`) or a `sync` change entry (without). */
export type Change = WireChange;

export interface User { id: string; name: string; role: 'admin' | 'member' }
export interface Member { id: string; name: string; readSeq: number }

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
  | { type: 'ping' };

/** A reply that was an `error` frame, carried as an exception to the caller. */
export class ProtocolError extends Error {
  /** `retryAfterMs` of a `rate_limited` refusal: when the server will take a frame again. */
  constructor(readonly code: string, message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'ProtocolError';
  }
}
