import type { ResultOf, WriteOp } from '../store/write/write-ops.js';

/** What a background job needs of the writer: one op at a time, as a promise. */
export interface JobWriter { run<O extends WriteOp>(op: O): Promise<ResultOf<O>> }

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
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
    if (options.runNow === true) void this.runOnce();
  }

  /** Stops the timer and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; joins the one in flight rather than starting a second. */
  runOnce(): Promise<T> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }
}
