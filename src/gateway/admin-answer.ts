import type { Outcome } from '../chat/admin-ports.js';
import { ERROR_CODES } from '../protocol/errors.js';
import type { Exchange } from './http.js';

export const NO_STORE: Array<[string, string]> = [['Cache-Control', 'no-store']];

/** Answers an outcome: `status` with `body(value)`, or the refusal as `{"error":{"code","reason","message"}}`. */
export function answer<T>(ex: Exchange, outcome: Outcome<T>, status: number, body: (value: T) => unknown): void {
  if (outcome.ok) return ex.json(status, body(outcome.value), NO_STORE);
  const { code, reason, message } = outcome;
  ex.json(ERROR_CODES[code].http, { error: reason === undefined ? { code, message } : { code, reason, message } }, NO_STORE);
}

/** A JSON body's fields, or undefined when it is not an object. */
export function fields(body: unknown): Record<string, unknown> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

export const isString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
