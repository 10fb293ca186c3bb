/**
 * The one registry of error codes. Every reply error, HTTP error and
 * socket-ending condition is named here so clients can rely on the codes.
 */
export const ERROR_CODES = {
  bad_request: { http: 400, description: 'The frame or request is malformed or has a wrong field.' },
  unauthorized: { http: 401, description: 'Missing, wrong, expired or revoked credentials.' },
  forbidden: { http: 403, description: 'Not a member of the room (or it does not exist), or not an admin.' },
  not_found: { http: 404, description: 'No such route or object.' },
  too_large: { http: 413, description: 'A body or frame is over the configured limit.' },
  rate_limited: { http: 429, description: 'Too many frames, requests or login attempts; slow down.' },
  conflict: { http: 409, description: 'The request conflicts with the current state.' },
  unavailable: { http: 503, description: 'The store is not writable, overloaded, or the server is shutting down.' },
  internal: { http: 500, description: 'An unexpected server fault; nothing was changed.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

/** An error that carries a wire code: thrown inside the server, turned into a reply at the edge. */
export class RoostError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RoostError';
    this.code = code;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

/**
 * Why the server ends a socket. Distinct from reply errors: the close code
 * tells a client whether reconnecting makes sense. 4000–4999 are this
 * protocol's own codes, for what the standard ones cannot tell apart.
 */
export const CLOSE_CODES = {
  /** Server shutting down: reconnect later, then sync. */
  going_away: 1001,
  /** Sustained bad frames, or rate refusals sent before the announced retry time: back off, fix the client. */
  policy_violation: 1008,
  /** A frame over the configured limit. */
  too_large: 1009,
  /** The socket fell too far behind: reconnect and sync. */
  try_again_later: 1013,
  /** The token was revoked (logout, user disabled, logout-all): sign in again; reconnecting cannot work. */
  token_revoked: 4001,
} as const;

export type CloseReason = keyof typeof CLOSE_CODES;

/** The reason text sent with each close code (people read it; programs look at the code). */
export const CLOSE_REASONS: Readonly<Record<CloseReason, string>> = {
  going_away: 'server shutting down',
  policy_violation: 'too many bad or excessive frames',
  too_large: 'frame too large',
  try_again_later: 'too slow; reconnect and sync',
  token_revoked: 'token revoked',
};
