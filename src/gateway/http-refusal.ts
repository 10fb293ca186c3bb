import type { Refusal } from '../auth/accounts.js';
import { ERROR_CODES } from '../protocol/errors.js';
import type { Exchange } from './http.js';

/**
 * Answers a refusal: `{"error":{"code","reason"?,"message","retryAfterMs"?}}`, with
 * `Retry-After` (seconds) when it says when to try again.
 */
export function refuse(ex: Exchange, r: Refusal): void {
  const headers: Array<[string, string]> = r.retryAfterMs === undefined ? [] : [['Retry-After', String(Math.ceil(r.retryAfterMs / 1000))]];
  ex.json(ERROR_CODES[r.code].http, {
    error: { code: r.code, ...(r.reason === undefined ? {} : { reason: r.reason }), message: r.message, ...(r.retryAfterMs === undefined ? {} : { retryAfterMs: r.retryAfterMs }) },
  }, headers);
}
