import type { ErrorCode } from '../../protocol/errors.js';
import type { HistoryName, JoinRuleName, RoomRoleName } from '../../protocol/frames.js';
import type { Reason } from '../../protocol/reasons.js';
import type { Actor, AuditDetails } from '../history/audit.js';
import type { AccountOp, AccountResult, SessionsEnded } from './account-ops.js';
import type { AccountDataDone, FilterDone, MatrixOp, MatrixResult, ServerNameDone } from './matrix-ops.js';

/** What the event loop asks the writer thread to make durable. Plain data: it crosses postMessage. */
export type WriteOp =
  | { k: 'send'; room: number; user: number; clientMsgId: string; body: string; replyTo?: number; attachments?: string[] }
  | { k: 'read'; room: number; user: number; seq: number }
  /** `device`: what the sessions list calls it (the login's `device`, else its User-Agent, shortened); `deviceId`: a Matrix login's device. */
  | { k: 'token'; hash: string; user: number; expiresAt: number; ip: string; device?: string; deviceId?: string }
  /** Sliding expiry: the token was used; its expiry moves forward (at most hourly per token: auth/token-refresh.ts). */
  | { k: 'touch'; hash: string; usedAt: number; expiresAt: number; ip: string }
  /** Re-hash on login: replaces the password hash only while it is still `old` (a CLI passwd in between wins). */
  | { k: 'rehash'; user: number; old: string; hash: string }
  | { k: 'revoke'; hash: string }
  | AccountOp
  | MatrixOp
  /** Retention: removes up to `max` of the room's oldest messages older than `before` (ms), with their search entries. */
  | { k: 'purge'; room: number; before: number; max: number }
  /** An audit entry from the server itself (scheduled backups): chained in the writer's transaction. */
  | { k: 'audit'; actor: Actor; action: string; details: AuditDetails }
  | ChangeOp
  | RoomOp;

/**
 * Room actions of a signed-in user (applied by write/room-changes.ts with the
 * rules of chat/policy.ts, checked again on the rows inside the transaction).
 * `user` is who acts; `target` whom it is done to.
 */
export type RoomOp =
  | { k: 'room-create'; user: number; name: string; topic: string; invite: number[]; joinRule: JoinRuleName; history: HistoryName }
  | { k: 'room-direct'; user: number; peer: number }
  | { k: 'room-invite'; room: number; user: number; target: number }
  | { k: 'room-join'; room: number; user: number }
  | { k: 'room-leave'; room: number; user: number }
  | {
    k: 'room-update'; room: number; user: number;
    name?: string; topic?: string; avatar?: string | null; joinRule?: JoinRuleName; history?: HistoryName;
  }
  /** Several changes are applied together or not at all (a Matrix power levels event names every member). */
  | { k: 'room-role'; room: number; user: number; changes: ReadonlyArray<{ target: number; role: RoomRoleName }> }
  | { k: 'room-remove'; room: number; user: number; target: number };

/** A member as the membership cache holds them. */
export interface JoinedMember { user: number; role: RoomRoleName; joinedSeq: number }

/** What a room action changed, for the event loop's cache, subscriptions and frames. */
export interface RoomDone {
  ok: true;
  room: number;
  /** The serialised `message` frames of the timeline entries written, in seq order (publish to the room). */
  frames: string[];
  /** Who is now joined (with role and joined_seq). */
  joined: JoinedMember[];
  /** Who is no longer joined (left or removed). */
  left: number[];
  /** Who got an invitation. */
  invited: number[];
  /** Role changes of members who stay. */
  roles: Array<{ user: number; role: RoomRoleName }>;
  /** The room's history visibility after the action. */
  history: HistoryName;
  /** The room's name, topic, avatar, join rule or history changed. */
  updated: boolean;
  /** A room was made (create, or the first open_direct of a pair). */
  created: boolean;
}

/** Message changes and files (applied by write/message-changes.ts and files/file-rows.ts). */
export type ChangeOp =
  /** The sender edits within `windowMs` of sending. */
  | { k: 'edit'; room: number; user: number; seq: number; body: string; windowMs: number }
  /** The sender deletes their own; an admin (role checked in the transaction) anyone's. */
  | { k: 'delete'; room: number; user: number; seq: number }
  | { k: 'react'; room: number; user: number; seq: number; emoji: string; on: boolean }
  | { k: 'notify'; room: number; user: number; muted?: boolean; level?: NotifyLevel }
  /** An upload whose bytes are in place; refused past `quota` bytes per uploader (0: none). */
  | { k: 'file'; file: NewFile; quota: number }
  /** Removes hidden text (original bodies, superseded edits, deleted messages' files) of rooms not under legal hold. */
  | { k: 'scrub'; room: number; max: number }
  /** Forgets files no message carries (never posted ones once older than `unpostedBefore`). */
  | { k: 'gc-files'; unpostedBefore: number; max: number }
  /** Last seen times of users who went offline. */
  | { k: 'seen'; users: Array<[user: number, at: number]> };

export type NotifyLevel = 'all' | 'mentions' | 'none';

export interface NewFile {
  id: string;
  room: number;
  user: number;
  sha256: string;
  size: number;
  mime: string;
  name: string;
  width?: number;
  height?: number;
  thumb: boolean;
}

export interface SendDone {
  ok: true;
  seq: number;
  msgId: number;
  ts: number;
  /** True when (sender, clientMsgId) was stored before: the first ack, nothing new stored. */
  duplicate: boolean;
  /** The `message` frame, serialised once off the event loop, for fan-out (absent for duplicates). */
  frame?: string;
  /** Members mentioned in the body (their sockets get the message even in a muted room). */
  mentions?: number[];
}

/** An edit, delete or reaction: `frame` is absent when nothing changed (a repeated reaction). */
/** `mentions`: members an edited text mentions (they get the frame even in a room they muted). */
export interface ChangeDone { ok: true; cseq: number; ts: number; frame?: string; freed?: string[]; mentions?: number[] }
/** `freed`: sha256 (hex) of contents no file row refers to any more; their bytes may be removed. */
export interface GcDone { ok: true; removed: number; freed: string[] }
export interface ScrubDone { ok: true; scrubbed: number; more: boolean; freed: string[] }

export interface ReadDone { ok: true; seq: number; moved: boolean }
/** `throughSeq`: every seq up to it is gone (0: nothing ever purged); `more`: older-than-cutoff rows remain. */
export interface PurgeDone { ok: true; purged: number; throughSeq: number; more: boolean }
export interface Done { ok: true }
/** `reason`: set when a room rule refused (protocol/reasons.ts). */
export interface WriteFailed { ok: false; code: ErrorCode; message: string; reason?: Reason }

export type WriteResult = SendDone | ReadDone | PurgeDone | ChangeDone | GcDone | ScrubDone | RoomDone | SessionsEnded | ServerNameDone | FilterDone | AccountDataDone | Done | WriteFailed;

export type ResultOf<O extends WriteOp> =
  O extends { k: 'send' } ? SendDone | WriteFailed :
  O extends { k: 'read' } ? ReadDone | WriteFailed :
  O extends { k: 'purge' } ? PurgeDone | WriteFailed :
  O extends { k: 'edit' | 'delete' | 'react' } ? ChangeDone | WriteFailed :
  O extends { k: 'gc-files' } ? GcDone | WriteFailed :
  O extends { k: 'scrub' } ? ScrubDone | WriteFailed :
  O extends RoomOp ? RoomDone | WriteFailed :
  O extends AccountOp ? AccountResult<O> :
  O extends MatrixOp ? MatrixResult<O> :
  Done | WriteFailed;

/** Messages between the event loop and the writer thread. */
export type ToWriter =
  | { type: 'batch'; ops: WriteOp[] }
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'results'; results: WriteResult[]; commitMs: number }
  | { type: 'closed' }
  | { type: 'fatal'; message: string };
