import type { SessionCache } from './session-cache.js';
import type { TokenRefresher } from './token-refresh.js';
import { hashToken, looksLikeToken } from './tokens.js';

/** A token's row with its user, as the store keeps it. */
export interface SessionRow {
  userId: number;
  name: string;
  role: 'admin' | 'member' | 'bot';
  disabled: boolean;
  expiresAt: number;
  /** When the token was last used (its creation when never), for the hourly sliding-expiry refresh. */
  lastUsedAt: number;
  /** The Matrix device the token was issued for (a Matrix login); a token's device never changes. */
  deviceId?: string;
}

/** What authentication needs of the store: one indexed lookup of a live (unrevoked) token by its hash. */
export interface SessionStore {
  session(tokenHash: string): SessionRow | undefined;
}

/** An authenticated request or socket: the user, and which token (its hash) it came with. */
export interface Session {
  userId: number;
  name: string;
  role: 'admin' | 'member' | 'bot';
  expiresAt: number;
  lastUsedAt: number;
  tokenHash: string;
  /** The Matrix device of the token, when it came from a Matrix login. */
  deviceId?: string;
}

/**
 * The one authentication path: the WebSocket upgrade and every HTTP route
 * ask here. A token answers its user when it has the right shape, is stored,
 * not revoked, not expired and its user is not disabled; anything else is
 * `undefined` (the caller answers 401). Every accepted use slides the
 * token's expiry the same way (at most one write per token per hour,
 * auth/token-refresh.ts), whichever door it came through.
 */
export class Authenticator {
  constructor(
    private readonly store: SessionStore,
    private readonly refresher: Pick<TokenRefresher, 'used'>,
    private readonly now: () => number = Date.now,
    private readonly recent?: SessionCache,
  ) {}

  /**
   * `from`: the caller's address, asked only when the token's use is recorded
   * (at most hourly). `recentOk`: a row the SessionCache still trusts will do;
   * otherwise the store is asked.
   */
  authenticate(token: string | undefined, from: () => string, recentOk = false): Session | undefined {
    if (token === undefined || !looksLikeToken(token)) return undefined;
    const tokenHash = hashToken(token);
    const now = this.now();
    let row = recentOk ? this.recent?.get(tokenHash, now) : undefined;
    if (row === undefined) {
      row = this.store.session(tokenHash);
      if (row === undefined || row.disabled) this.recent?.forget([tokenHash]);
      else if (recentOk) this.recent?.put(tokenHash, row, now);
    }
    if (row === undefined || row.disabled || row.expiresAt <= now) return undefined;
    // A refresh queued here is the row's new last use, so a remembered row does not queue it again.
    if (this.refresher.used(tokenHash, row.lastUsedAt, from, now)) row.lastUsedAt = now;
    return {
      userId: row.userId, name: row.name, role: row.role, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt, tokenHash,
      ...(row.deviceId === undefined ? {} : { deviceId: row.deviceId }),
    };
  }

  /** These tokens were revoked by the server itself: no remembered row of them is used again. */
  forget(tokenHashes: readonly string[]): void {
    this.recent?.forget(tokenHashes);
  }

  /** Tokens or users changed elsewhere (the CLI, the admin panel): every remembered row is read again. */
  forgetAll(): void {
    this.recent?.clear();
  }
}
