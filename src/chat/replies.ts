import type { ErrorCode } from '../protocol/errors.js';
import { encodeFrame } from '../protocol/server-frames.js';
import type { Reason } from '../protocol/reasons.js';

/** The `error` frame, echoing the request's id when it had one; `reason` when a rule refused. */
export function errorFrame(id: string | undefined, code: ErrorCode, message: string, reason?: Reason): string {
  return encodeFrame(reason === undefined ? { type: 'error', id, code, message } : { type: 'error', id, code, reason, message });
}

export interface Failure { ok: false; code: ErrorCode; message: string; reason?: Reason }

export const notMember = (room: string): Failure => ({ ok: false, code: 'forbidden', message: `not a member of room ${JSON.stringify(room)}` });
/** A message the user may not see (before their join in a `history: joined` room) is answered as one that does not exist, in the writer's words. */
export const noMessage = (seq: number, what = ''): Failure => ({ ok: false, code: 'not_found', message: `${what}no message ${seq} in this room` });
export const overloaded: Failure = { ok: false, code: 'unavailable', message: 'the server is busy or shutting down; retry shortly' };

/** The `error` frame of a frame refused for rate: `retryAfterMs` is when the client may send again. */
export function rateLimitedFrame(id: string | undefined, retryAfterMs: number, message: string): string {
  return encodeFrame({ type: 'error', id, code: 'rate_limited', message, retryAfterMs });
}
