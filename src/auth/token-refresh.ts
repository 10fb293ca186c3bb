import type { WriteQueue } from '../chat/ports.js';

/** How often one token's expiry may be pushed forward: a write per token per hour at most. */
export const REFRESH_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Sliding token expiry. Each authenticated use (WebSocket upgrade, HTTP
 * request) calls `used`; when the token was last refreshed more than an hour
 * ago, a `touch` write moves its expiry to now + TTL and records when and
 * from where it was used. The write goes through the writer thread like every
 * other; `pending` only stops one token from queueing several touches while
 * the first is in flight (it holds at most one entry per token being written).
 */
export class TokenRefresher {
  private readonly pending = new Set<string>();

  constructor(
    private readonly writer: WriteQueue,
    private readonly ttlMs: number,
    private readonly intervalMs = REFRESH_INTERVAL_MS,
  ) {}

  /** Returns true when a refresh was queued. */
  /** `from`: the caller's address, read only when a refresh is queued. */
  used(tokenHash: string, lastUsedAt: number, from: () => string, now: number): boolean {
    if (now - lastUsedAt < this.intervalMs || this.pending.has(tokenHash)) return false;
    this.pending.add(tokenHash);
    const queued = this.writer.submit(
      { k: 'touch', hash: tokenHash, usedAt: now, expiresAt: now + this.ttlMs, ip: from() },
      () => this.pending.delete(tokenHash),
    );
    // A full queue is no reason to refuse the request: the next use tries again.
    if (!queued) this.pending.delete(tokenHash);
    return queued;
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
