/**
 * Login throttling keyed by client address and by (address, user name).
 * After `maxFailures` failures on a key, the key is blocked for a back-off
 * that doubles with each further failure (capped at an hour); while blocked,
 * every attempt gets 429, even with the right password. A success clears the
 * (address, user) key. The table is bounded: the oldest keys are dropped.
 */
export interface ThrottleOptions {
  failuresPerUser: number;
  failuresPerIp: number;
  backoffMs: number;
  maxKeys?: number;
}

interface Entry { failures: number; blockedUntil: number; lastFailure: number }

const MAX_BACKOFF_MS = 60 * 60 * 1000;
/** Failures older than this, with no block in force, are forgotten. */
const FORGET_MS = 15 * 60 * 1000;

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;

  constructor(private readonly options: ThrottleOptions, private readonly now: () => number = Date.now) {
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /** Milliseconds until this login may be tried, 0 when it may be tried now. */
  retryAfter(ip: string, user: string): number {
    const t = this.now();
    const wait = Math.max(this.entries.get(`ip:${ip}`)?.blockedUntil ?? 0, this.entries.get(this.userKey(ip, user))?.blockedUntil ?? 0);
    return Math.max(0, wait - t);
  }

  failed(ip: string, user: string): void {
    this.bump(`ip:${ip}`, this.options.failuresPerIp);
    this.bump(this.userKey(ip, user), this.options.failuresPerUser);
  }

  succeeded(ip: string, user: string): void {
    this.entries.delete(this.userKey(ip, user));
  }

  get size(): number {
    return this.entries.size;
  }

  private userKey(ip: string, user: string): string {
    // A key's name part is bounded whatever a caller passes: failed logins are kept for up to an hour.
    return `user:${ip}\u0000${user.slice(0, 64).toLowerCase()}`;
  }

  private bump(key: string, allowed: number): void {
    const t = this.now();
    const entry = this.entries.get(key) ?? { failures: 0, blockedUntil: 0, lastFailure: t };
    this.entries.delete(key);
    if (entry.blockedUntil < t && t - entry.lastFailure > FORGET_MS) entry.failures = 0;
    entry.failures += 1;
    entry.lastFailure = t;
    const over = entry.failures - allowed;
    if (over >= 0) entry.blockedUntil = t + Math.min(MAX_BACKOFF_MS, this.options.backoffMs * 2 ** Math.min(over, 20));
    this.entries.set(key, entry);
    if (this.entries.size > this.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
