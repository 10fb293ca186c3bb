import type { ResultOf, WriteOp } from '../store/write/write-ops.js';

/** What a background job needs of the writer: one op at a time, as a promise. */
export interface JobWriter { run<O extends WriteOp>(op: O): Promise<ResultOf<O>> }

/** A timer's longest delay (2^31 − 1 ms, ~24.8 days): Node fires a longer one after 1 ms. */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * A background pass on a timer (one timer per job, unref'd), never two
 * passes at once; stop() waits for the pass in flight. Subclasses check
 * `stopped` between their bounded write ops.
 */
export abstract class PeriodicJob<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;
  protected stopped = false;

  constructor(private readonly intervalMs: number) {}

  protected abstract pass(): Promise<T>;

  start(options: { runNow?: boolean } = {}): void {
    this.wait(this.intervalMs);
    if (options.runNow === true) void this.runOnce();
  }

  /** Runs a pass after `ms`, then waits an interval again; a wait past a timer's longest is made of several. */
  private wait(ms: number): void {
    const step = Math.min(ms, LONGEST_TIMER_MS);
    this.timer = setTimeout(() => {
      if (ms > step) return this.wait(ms - step);
      void this.runOnce();
      this.wait(this.intervalMs);
    }, step);
    this.timer.unref();
  }

  /** Stops the timer and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; joins the one in flight rather than starting a second. */
  runOnce(): Promise<T> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }
}
