import * as crypto from 'node:crypto';

/** A bearer token: 32 random bytes, base64url. Only its SHA-256 is stored. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * Every authenticated request hashes its token. `crypto.hash` (Node 20.12 on)
 * is one native call; `createHash` builds a Hash object each time, ~1 µs more
 * per request here (a held `/sync` re-polls once per delivered message).
 */
const sha256Hex: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

export function hashToken(token: string): string {
  return sha256Hex(token);
}

/** Tokens have a fixed shape; anything else is rejected before a lookup. */
export function looksLikeToken(value: string): boolean {
  return value.length === 43 && /^[A-Za-z0-9_-]+$/.test(value);
}
