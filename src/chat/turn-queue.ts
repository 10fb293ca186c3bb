/**
 * Runs queued jobs a slice per event-loop turn (setImmediate). Frames that
 * arrive together (a reconnect storm: every socket readable at once) are all
 * handed to JavaScript in one poll phase; if each read its rows there, the
 * loop would be held for all of them before any timer or other socket ran.
 * Queued, each turn does at most `sliceMs` of them (and always at least one),
 * then lets timers and I/O run.
 */
export class TurnQueue {
  private jobs: Array<() => void> = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly sliceMs: number,
    /** Jobs allowed to wait; past it push() refuses, so a storm costs bounded memory. */
    private readonly max: number,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get length(): number {
    return this.jobs.length - this.head;
  }

  /** False when `max` jobs are already waiting: the caller answers for the job. */
  push(job: () => void): boolean {
    if (this.length >= this.max) return false;
    this.jobs.push(job);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.runSlice);
    }
    return true;
  }

  private readonly runSlice = (): void => {
    const start = this.now();
    do {
      const job = this.jobs[this.head];
      this.jobs[this.head++] = noop;
      try {
        job?.();
      } catch (err) {
        // One job's failure is its own: the rest still run.
        this.onError(err);
      }
    } while (this.head < this.jobs.length && this.now() - start < this.sliceMs);
    if (this.head < this.jobs.length) {
      setImmediate(this.runSlice);
      return;
    }
    this.jobs = [];
    this.head = 0;
    this.scheduled = false;
  };
}

const noop = (): void => undefined;
