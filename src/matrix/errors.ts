import type { ErrorCode } from '../protocol/errors.js';
import { parseFrameValue, type FrameLimits } from '../protocol/parse.js';

/** The Matrix error codes this door answers (spec: client-server API, "Standard error response"). */
export type MatrixErrcode =
  | 'M_FORBIDDEN' | 'M_UNKNOWN_TOKEN' | 'M_MISSING_TOKEN' | 'M_BAD_JSON' | 'M_NOT_JSON' | 'M_NOT_FOUND'
  | 'M_LIMIT_EXCEEDED' | 'M_UNRECOGNIZED' | 'M_UNKNOWN' | 'M_TOO_LARGE' | 'M_INVALID_PARAM' | 'M_MISSING_PARAM'
  | 'M_USER_IN_USE' | 'M_ROOM_IN_USE' | 'M_UNSUPPORTED_ROOM_VERSION';

export interface MatrixError { status: number; errcode: MatrixErrcode; error: string; retryAfterMs?: number }

export const matrixError = (status: number, errcode: MatrixErrcode, error: string, retryAfterMs?: number): MatrixError =>
  ({ status, errcode, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

/** The body of an error answer: `{errcode, error}`, with `retry_after_ms` when the client is to wait. */
export function errorBody(e: MatrixError): Record<string, unknown> {
  return { errcode: e.errcode, error: e.error, ...(e.retryAfterMs === undefined ? {} : { retry_after_ms: e.retryAfterMs }) };
}

const FROM_ROOST: Readonly<Record<ErrorCode, [number, MatrixErrcode]>> = {
  bad_request: [400, 'M_BAD_JSON'],
  unauthorized: [401, 'M_UNKNOWN_TOKEN'],
  forbidden: [403, 'M_FORBIDDEN'],
  not_found: [404, 'M_NOT_FOUND'],
  too_large: [413, 'M_TOO_LARGE'],
  rate_limited: [429, 'M_LIMIT_EXCEEDED'],
  conflict: [409, 'M_UNKNOWN'],
  unavailable: [503, 'M_UNKNOWN'],
  internal: [500, 'M_UNKNOWN'],
};

/** A refusal of a chat service (its Roost code and message) in Matrix words; the message is the service's own. */
export function fromRoost(f: { code: ErrorCode; message: string; retryAfterMs?: number }): MatrixError {
  const [status, errcode] = FROM_ROOST[f.code];
  return matrixError(status, errcode, f.message, f.retryAfterMs);
}

export const unrecognized = (): MatrixError => matrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request');
export const forbidden = (why: string): MatrixError => matrixError(403, 'M_FORBIDDEN', why);
export const notFound = (what: string): MatrixError => matrixError(404, 'M_NOT_FOUND', what);
export const badJson = (why: string): MatrixError => matrixError(400, 'M_BAD_JSON', why);
export const invalidParam = (why: string): MatrixError => matrixError(400, 'M_INVALID_PARAM', why);
/** What a client that tries to encrypt is told: Roost stores text so it can be searched, exported and kept. */
export const noEncryption = (): MatrixError =>
  forbidden('Encryption is not available: rooms on this server are server-side searchable (search, export, retention and legal hold read the text)');

/**
 * What a Matrix request hands the chat service is checked as the native frame
 * it stands for, by the one frame parser: the same lengths, emptiness and
 * well-formed text at both doors. Undefined when the frame is fine.
 */
export function frameRefusal(limits: FrameLimits, frame: Record<string, unknown>): MatrixError | undefined {
  const parsed = parseFrameValue(frame, limits);
  return parsed.ok ? undefined : fromRoost(parsed);
}
