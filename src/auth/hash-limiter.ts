/**
 * At most `max` password hashes at once; the rest wait their turn in order.
 * Each scrypt hash holds 16 MiB while it runs, and libuv's pool would run
 * four at once; the memory a burst of logins leaves behind grows with how
 * many ran together, so a small bound keeps the server's RSS small too.
 */
export class HashLimiter {
  private running = 0;
  private most = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`a hash limit must be a whole number of at least 1 (got ${max})`);
  }

  /** Hashes running now. */
  get active(): number {
    return this.running;
  }

  /** The most that ever ran at once (what a test can count). */
  get peak(): number {
    return this.most;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.max) {
      this.running += 1;
      this.most = Math.max(this.most, this.running);
    } else {
      // A finishing hash hands its slot straight to the waiter: `running` never dips, so no newcomer jumps the queue.
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    try {
      return await job();
    } finally {
      const next = this.queue.shift();
      if (next === undefined) this.running -= 1;
      else next();
    }
  }
}
