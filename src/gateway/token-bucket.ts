/**
 * A token bucket kept in two numbers on the socket's own state, so rate
 * limiting needs no timer and no allocation per socket or per frame.
 */
export interface Bucket { tokens: number; at: number }

/** Takes one token if there is one; refills `rate` per second up to `burst`. */
export function take(b: Bucket, now: number, rate: number, burst: number): boolean {
  const refill = ((now - b.at) / 1000) * rate;
  b.tokens = Math.min(burst, b.tokens + refill);
  b.at = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}
