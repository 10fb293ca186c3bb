/**
 * A token bucket kept in one number: the time (ms) at which the bucket is
 * full again (the "theoretical arrival time" of GCRA). A bucket of `burst`
 * tokens refilling `rate` per second holds burst − (fullAt − now) × rate / 1000
 * tokens, so it behaves exactly like a tokens-and-timestamp pair, in one
 * number field on the socket's own state instead of an object of two: rate
 * limiting needs no timer and no allocation per socket or per frame.
 *
 * Any fullAt at or before `now` is a full bucket, so 0 is a fresh one.
 */
export const FULL_BUCKET = 0;

/**
 * Takes one token at `now`. Returns the bucket's new fullAt, or null when it
 * has no token left (the bucket is then unchanged). Rate 0 is not a bucket:
 * callers skip the check.
 */
export function take(fullAt: number, now: number, rate: number, burst: number): number | null {
  const from = Math.max(fullAt, now);
  // At least one token is left while the bucket is short of at most burst − 1.
  if ((from - now) * rate > (burst - 1) * 1000) return null;
  return from + 1000 / rate;
}

/** True when a bucket has refilled by `now`: it can be forgotten (a missing bucket is full). */
export function isFull(fullAt: number, now: number): boolean {
  return fullAt <= now;
}

/**
 * How long (ms, at least 1) until the bucket has a token again: what a
 * refused client is told to wait. Zero when it has one now.
 */
export function msUntilToken(fullAt: number, now: number, rate: number, burst: number): number {
  // take() succeeds once (fullAt − t) × rate ≤ (burst − 1) × 1000.
  const wait = fullAt - (burst - 1) * 1000 / rate - now;
  return wait <= 0 ? 0 : Math.ceil(wait);
}
