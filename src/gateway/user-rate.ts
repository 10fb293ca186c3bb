import { isFull, msUntilToken, take } from './token-bucket.js';

/**
 * One token bucket per user, shared by all of that user's sockets, so opening
 * more sockets does not multiply what one account may send. A bucket is one
 * number in a Map, created by the user's first frame and forgotten once it
 * has refilled (a missing bucket is a full one), so only users who sent
 * something in the last few seconds cost memory, not every connected user.
 * Forgetting happens in a sweep amortised over frames (one entry visited per
 * frame taken) and when a user's last socket closes; a drained bucket is
 * always kept, or reconnecting would hand a flooder a fresh burst. No timers.
 */
export class UserFrameBuckets {
  private readonly fullAt = new Map<number, number>();
  /** Frames taken since the last sweep; a sweep runs once this reaches the Map's size. */
  private takenSinceSweep = 0;

  constructor(private readonly rate: number, private readonly burst: number) {}

  get size(): number {
    return this.fullAt.size;
  }

  /** Takes one frame from the user's bucket; false when the user is over the rate. Rate 0: no limit. */
  take(user: number, now: number): boolean {
    if (this.rate === 0) return true;
    if (++this.takenSinceSweep >= this.fullAt.size) this.sweep(now);
    const next = take(this.fullAt.get(user) ?? now, now, this.rate, this.burst);
    if (next === null) return false;
    this.fullAt.set(user, next);
    return true;
  }

  /** Ms until the user's bucket gives a frame again (0: now), for the `retryAfterMs` of a refusal. */
  msUntilFrame(user: number, now: number): number {
    const at = this.fullAt.get(user);
    return this.rate === 0 || at === undefined ? 0 : msUntilToken(at, now, this.rate, this.burst);
  }

  /** Call when a user's socket closed; `remaining` is how many the user still has open. */
  closed(user: number, remaining: number, now: number): void {
    if (remaining > 0) return;
    const at = this.fullAt.get(user);
    if (at !== undefined && isFull(at, now)) this.fullAt.delete(user);
  }

  private sweep(now: number): void {
    this.takenSinceSweep = 0;
    for (const [user, at] of this.fullAt) if (isFull(at, now)) this.fullAt.delete(user);
  }
}
