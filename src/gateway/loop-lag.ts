/**
 * Event-loop lag as a user feels it: how late a 20 ms timer fires. (Node's
 * monitorEventLoopDelay reports about its own resolution even when idle —
 * 10 ms at resolution 10 — and missed a 50 ms block in a check here.)
 * One timer for the process; the last SAMPLES lags are kept in a ring, so
 * memory is fixed and a scrape sees roughly the last minute.
 */
const INTERVAL_MS = 20;
const SAMPLES = 3000;

export class LoopLag {
  private readonly ring = new Float64Array(SAMPLES);
  private count = 0;
  private next = 0;
  private last = performance.now();
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.record(Math.max(0, now - this.last - INTERVAL_MS));
      this.last = now;
    }, INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  record(lagMs: number): void {
    this.ring[this.next] = lagMs;
    this.next = (this.next + 1) % SAMPLES;
    if (this.count < SAMPLES) this.count += 1;
  }

  /** The p-th percentile (0-100) of the kept samples, in ms; 0 with no samples. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const sorted = Array.from(this.ring.subarray(0, this.count)).sort((a, b) => a - b);
    const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
    return sorted[Math.max(0, i)] ?? 0;
  }

  max(): number {
    let m = 0;
    for (let i = 0; i < this.count; i++) m = Math.max(m, this.ring[i] ?? 0);
    return m;
  }
}
