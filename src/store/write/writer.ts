import { Worker } from 'node:worker_threads';
import type { Synchronous } from '../db/database.js';
import type { FromWriter, ResultOf, WriteOp, WriteResult } from './write-ops.js';

type Callback = (result: WriteResult) => void;

export interface WriterOptions {
  dataDir: string;
  synchronous: Synchronous;
  /** Writes allowed to wait; beyond it submit() refuses and the caller answers `unavailable`. */
  queueMax: number;
  /** Most writes in one transaction. */
  batchMax: number;
  onBatch?: (size: number, commitMs: number) => void;
  /**
   * Wraps the delivery of one batch's results (acks and fan-out), so the
   * gateway can gather the frames it sends and write each socket once.
   */
  deliver?: (run: () => void) => void;
  onFatal?: (message: string) => void;
}

/** Source files run as .ts under the test loader and as .js when built. */
function threadUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./writer-thread${ext}`, import.meta.url);
}

/**
 * The event loop's side of the writer thread. Group commit: while one batch is
 * being committed, new writes queue; when it returns, everything queued goes
 * as the next batch. At most one batch is in flight, so results come back in
 * submission order, and so do acks and fan-out.
 */
export class Writer {
  private readonly worker: Worker;
  private queueOps: WriteOp[] = [];
  private queueCbs: Callback[] = [];
  private inFlight: Callback[] | null = null;
  private closing: Promise<void> | null = null;
  private dead: string | null = null;
  private idleWaiters: Array<() => void> = [];

  private constructor(private readonly options: WriterOptions, worker: Worker) {
    this.worker = worker;
    worker.on('message', (msg: FromWriter) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(`writer thread crashed: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.closing === null) this.fail(`writer thread exited (${code})`);
    });
  }

  static start(options: WriterOptions): Promise<Writer> {
    const worker = new Worker(threadUrl(), {
      workerData: { dataDir: options.dataDir, synchronous: options.synchronous },
    });
    return new Promise((resolve, reject) => {
      const onFirst = (msg: FromWriter): void => {
        worker.off('error', reject);
        if (msg.type === 'ready') resolve(new Writer(options, worker));
        else {
          void worker.terminate();
          reject(new Error(msg.type === 'fatal' ? msg.message : 'writer thread failed to start'));
        }
      };
      worker.once('message', onFirst);
      worker.once('error', reject);
    });
  }

  get depth(): number {
    return this.queueOps.length + (this.inFlight?.length ?? 0);
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /** Queues one write; false when the queue is full, closing, or the thread is gone. */
  submit<O extends WriteOp>(op: O, done: (result: ResultOf<O>) => void): boolean {
    if (this.dead !== null || this.closing !== null || this.queueOps.length >= this.options.queueMax) return false;
    this.queueOps.push(op);
    this.queueCbs.push(done as Callback);
    if (this.inFlight === null) this.dispatch();
    return true;
  }

  /** Promise form for the rare paths (login, logout, HTTP). */
  run<O extends WriteOp>(op: O): Promise<ResultOf<O>> {
    return new Promise((resolve) => {
      const queued = this.submit(op, resolve);
      if (!queued) resolve({ ok: false, code: 'unavailable', message: this.dead ?? 'the store is busy or shutting down' } as ResultOf<O>);
    });
  }

  /** Resolves once everything submitted so far is committed (or failed). */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new writes, lets queued ones commit, then checkpoints and closes the database. */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closing = (async () => {
      await this.idle();
      if (this.dead !== null) return;
      await new Promise<void>((resolve) => {
        this.worker.on('message', (msg: FromWriter) => {
          if (msg.type === 'closed') resolve();
        });
        this.worker.once('exit', () => resolve());
        this.worker.postMessage({ type: 'close' });
      });
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private dispatch(): void {
    const n = Math.min(this.queueOps.length, this.options.batchMax);
    if (n === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
    const ops = this.queueOps.length === n ? this.queueOps : this.queueOps.slice(0, n);
    this.inFlight = this.queueOps.length === n ? this.queueCbs : this.queueCbs.slice(0, n);
    if (ops === this.queueOps) {
      this.queueOps = [];
      this.queueCbs = [];
    } else {
      this.queueOps = this.queueOps.slice(n);
      this.queueCbs = this.queueCbs.slice(n);
    }
    this.worker.postMessage({ type: 'batch', ops });
  }

  private onMessage(msg: FromWriter): void {
    if (msg.type === 'results') {
      const cbs = this.inFlight ?? [];
      this.inFlight = null;
      this.options.onBatch?.(cbs.length, msg.commitMs);
      // Dispatch first so the disk starts on the next batch while this one is acked.
      this.dispatch();
      const results = msg.results;
      const run = (): void => {
        for (let i = 0; i < cbs.length; i++) cbs[i]?.(results[i] ?? { ok: false, code: 'internal', message: 'writer returned no result' });
      };
      if (this.options.deliver === undefined) run();
      else this.options.deliver(run);
    } else if (msg.type === 'fatal') {
      this.fail(msg.message);
    }
  }

  private fail(message: string): void {
    if (this.dead !== null) return;
    this.dead = message;
    const failed: WriteResult = { ok: false, code: 'unavailable', message };
    const cbs = [...(this.inFlight ?? []), ...this.queueCbs];
    this.inFlight = null;
    this.queueOps = [];
    this.queueCbs = [];
    for (const cb of cbs) cb(failed);
    for (const w of this.idleWaiters) w();
    this.idleWaiters = [];
    this.options.onFatal?.(message);
  }
}
