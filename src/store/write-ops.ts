import type { ErrorCode } from '../protocol/errors.js';
import type { Actor, AuditDetails } from './audit.js';

/** What the event loop asks the writer thread to make durable. Plain data: it crosses postMessage. */
export type WriteOp =
  | { k: 'send'; room: number; user: number; clientMsgId: string; body: string }
  | { k: 'read'; room: number; user: number; seq: number }
  | { k: 'token'; hash: string; user: number; expiresAt: number; ip: string }
  /** Sliding expiry: the token was used; its expiry moves forward (at most hourly per token: auth/token-refresh.ts). */
  | { k: 'touch'; hash: string; usedAt: number; expiresAt: number; ip: string }
  /** Re-hash on login: replaces the password hash only while it is still `old` (a CLI passwd in between wins). */
  | { k: 'rehash'; user: number; old: string; hash: string }
  | { k: 'revoke'; hash: string }
  /** Retention: removes up to `max` of the room's oldest messages older than `before` (ms), with their search entries. */
  | { k: 'purge'; room: number; before: number; max: number }
  /** An audit entry from the server itself (scheduled backups): chained in the writer's transaction. */
  | { k: 'audit'; actor: Actor; action: string; details: AuditDetails };

export interface SendDone {
  ok: true;
  seq: number;
  msgId: number;
  ts: number;
  /** True when (sender, clientMsgId) was stored before: the first ack, nothing new stored. */
  duplicate: boolean;
  /** The `message` frame, serialised once off the event loop, for fan-out (absent for duplicates). */
  frame?: string;
}

export interface ReadDone { ok: true; seq: number; moved: boolean }
/** `throughSeq`: every seq up to it is gone (0: nothing ever purged); `more`: older-than-cutoff rows remain. */
export interface PurgeDone { ok: true; purged: number; throughSeq: number; more: boolean }
export interface Done { ok: true }
export interface WriteFailed { ok: false; code: ErrorCode; message: string }

export type WriteResult = SendDone | ReadDone | PurgeDone | Done | WriteFailed;

export type ResultOf<O extends WriteOp> =
  O extends { k: 'send' } ? SendDone | WriteFailed :
  O extends { k: 'read' } ? ReadDone | WriteFailed :
  O extends { k: 'purge' } ? PurgeDone | WriteFailed :
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
