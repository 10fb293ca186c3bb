/**
 * The wire protocol as the browser sees it (docs/protocol.md). The shapes the
 * server defines come from src/protocol/frames.ts as types only (erased by the
 * bundler, so no server module enters the bundle); client-side shapes follow.
 */
import type { ReceiptFrame, ReceiptsFrame, RoomSummary, SearchHit, WireMessage } from '../protocol/frames.js';

export type { RoomSummary, SearchHit, WireMessage };
export type Attachment = NonNullable<WireMessage['attachments']>[number];
export type Reaction = NonNullable<WireMessage['reactions']>[number];
export type NotifyLevel = 'all' | 'mentions' | 'none';
export type PresenceState = 'online' | 'away' | 'offline';

/** An edit, deletion or reaction: a live frame (with `room`) or a `sync` change entry (without). */
export type Change =
  | { type: 'edited'; cseq: number; seq: number; body: string; editedAt: number; mentions?: string[] }
  | { type: 'deleted'; cseq: number; seq: number }
  | { type: 'reaction'; cseq: number; seq: number; emoji: string; user: string; on: boolean };

export interface User { id: string; name: string; role: 'admin' | 'member' }
export interface Member { id: string; name: string; readSeq: number }

export type ServerFrame =
  | ({ type: 'message' } & WireMessage)
  | { type: 'ack'; id?: string; room: string; seq: number; msgId: string; ts: number }
  | { type: 'synced'; id?: string; rooms: SyncedRoom[] }
  | { type: 'history'; id?: string; room: string; messages: WireMessage[]; more: boolean }
  | { type: 'results'; id?: string; hits: SearchHit[] }
  | { type: 'rooms'; id?: string; rooms: RoomSummary[]; editWindowSeconds?: number; rateLimits?: RateLimits }
  | ReceiptFrame
  | ReceiptsFrame
  | { type: 'typing'; room: string; user: string }
  | { type: 'room'; room: string; event: 'joined' | 'left' | 'created'; user: string }
  | ({ room: string } & Change)
  | { type: 'ok'; id?: string; cseq?: number }
  | { type: 'presence'; id?: undefined; user: string; state: PresenceState; lastSeen: number | null }
  | { type: 'presence'; id: string; room: string; online: number; away: number; users?: Array<{ user: string; state: PresenceState; lastSeen: number | null }> }
  | { type: 'pong'; id?: string }
  | { type: 'error'; id?: string; code: string; message: string; retryAfterMs?: number };

/** The server's frame rates, announced in the `rooms` reply (a rate of 0: no limit). */
export interface RateLimits { framesPerSecond: number; frameBurst: number; userFramesPerSecond: number; userFrameBurst: number }

export interface SyncedRoom { room: string; messages: WireMessage[]; more: boolean; changes?: Change[]; moreChanges?: boolean; lastCseq?: number }

export type ServerFrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
export type PresenceReply = Extract<ServerFrame, { type: 'presence'; id: string }>;

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
