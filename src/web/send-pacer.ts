import type { RateLimits } from './protocol.js';

/**
 * Share of the server's announced frame rate and burst that message sends
 * may use: the rest is left for what the client sends besides (sync, history,
 * read markers, typing, pings), so a queue drained at full speed is not refused.
 */
const RATE_SHARE = 0.8;
const BURST_SHARE = 0.5;

/** Until the `rooms` reply says otherwise: the server's default limits. */
const DEFAULT_LIMITS: RateLimits = { framesPerSecond: 20, frameBurst: 100, userFramesPerSecond: 100, userFrameBurst: 500 };

/**
 * A token bucket for message sends, kept under the server's limits (the
 * stricter of its per-socket and per-user ones). Kept as the time the bucket
 * is full again, like the server's, so it needs no timer of its own.
 */
export class SendPacer {
  private rate = 0;
  private burst = 1;
  private fullAt = 0;

  constructor(limits: RateLimits = DEFAULT_LIMITS) {
    this.setLimits(limits);
  }

  setLimits(limits: RateLimits): void {
    const rates = [limits.framesPerSecond, limits.userFramesPerSecond].filter((r) => r > 0);
    const bursts = [limits.framesPerSecond > 0 ? limits.frameBurst : Infinity, limits.userFramesPerSecond > 0 ? limits.userFrameBurst : Infinity];
    this.rate = rates.length === 0 ? 0 : Math.min(...rates) * RATE_SHARE;
    this.burst = Math.max(1, Math.floor(Math.min(...bursts) * BURST_SHARE));
  }

  /** Takes a token and returns 0, or returns how many ms until one is there (taking nothing). */
  take(now: number): number {
    if (this.rate === 0) return 0;
    const from = Math.max(this.fullAt, now);
    const wait = from - (this.burst - 1) * 1000 / this.rate - now;
    if (wait > 0) return Math.ceil(wait);
    this.fullAt = from + 1000 / this.rate;
    return 0;
  }
}
