import { take, type Bucket } from './token-bucket.js';

/**
 * One token bucket per user, shared by all of that user's sockets, so opening
 * more sockets does not multiply what one account may send. One Map entry
 * per user (not per socket), created by the user's first frame. When the
 * user's last socket closes the entry is dropped only if the bucket has
 * refilled: otherwise reconnecting would hand a flooder a fresh burst. The
 * Map is bounded by the number of accounts; no timers.
 */
export class UserFrameBuckets {
  private readonly buckets = new Map<number, Bucket>();

  constructor(private readonly rate: number, private readonly burst: number) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one frame from the user's bucket; false when the user is over the rate. Rate 0: no limit. */
  take(user: number, now: number): boolean {
    if (this.rate === 0) return true;
    let b = this.buckets.get(user);
    if (b === undefined) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(user, b);
    }
    return take(b, now, this.rate, this.burst);
  }

  /** Call when a user's socket closed; `remaining` is how many the user still has open. */
  closed(user: number, remaining: number, now: number): void {
    if (remaining > 0) return;
    const b = this.buckets.get(user);
    if (b !== undefined && b.tokens + ((now - b.at) / 1000) * this.rate >= this.burst) this.buckets.delete(user);
  }
}
