import { Worker } from 'node:worker_threads';
import type { Synchronous } from '../db/database.js';
import { storeThreadUrl } from '../thread-url.js';
import { PendingWrites, type WriteCallback } from './pending-writes.js';
import { writeOpBytes } from './write-op-size.js';
import type { FromWriter, ResultOf, WriteOp, WriteResult } from './write-ops.js';

export interface WriterOptions {
  dataDir: string;
  synchronous: Synchronous;
  /** Writes allowed to wait; beyond it submit() refuses and the caller answers `unavailable`. */
  queueMax: number;
  /**
   * Estimated bytes (write-op-size.ts) of writes allowed to wait; beyond it
   * submit() refuses like queueMax. Unbounded when absent.
   */
  queueBytes?: number;
  /** Most writes in one transaction. */
  batchMax: number;
  onBatch?: (size: number, commitMs: number) => void;
  /**
   * Wraps the delivery of one batch's results (acks and fan-out), so the
   * gateway can gather the frames it sends and write each socket once.
   */
  deliver?: (run: () => void) => void;
  onFatal?: (message: string) => void;
  /**
   * Told of a callback that threw (`op` is the write it answered; absent for
   * an idle waiter or the delivery wrapper). The other callbacks still run.
   */
  onError?: (err: unknown, op: WriteOp | undefined) => void;
  /**
   * Milliseconds with nothing to write after which the thread checkpoints, closes
   * its connection and exits, giving back its isolate (~10 MiB resident); the
   * next write starts it again first. 0 or absent: never.
   */
  parkAfterMs?: number;
  /** Told when the thread parks (true) and when a write starts it again (false). */
  onPark?: (parked: boolean) => void;
}

const NO_RESULT: WriteResult = { ok: false, code: 'internal', message: 'writer returned no result' };

/** Asks the thread to checkpoint and close the database, then ends it. */
async function closeThread(worker: Worker): Promise<void> {
  await new Promise<void>((resolve) => {
    worker.on('message', (msg: FromWriter) => {
      if (msg.type === 'closed') resolve();
    });
    worker.once('exit', () => resolve());
    worker.postMessage({ type: 'close' });
  });
  await worker.terminate();
}

/** A writer thread that has opened the database and said it is ready. */
function spawnThread(options: WriterOptions): Promise<Worker> {
  // Made inside the executor: a thread that cannot even be created (out of memory, descriptors)
  // is a rejection for the caller to handle, never a throw into whoever submitted a write.
  return new Promise((resolve, reject) => {
    const worker = new Worker(storeThreadUrl('write/writer-thread'), {
      workerData: { dataDir: options.dataDir, synchronous: options.synchronous },
    });
    const onExit = (code: number): void => reject(new Error(`writer thread exited (${code}) before it was ready`));
    worker.once('message', (msg: FromWriter) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (msg.type === 'ready') resolve(worker);
      else {
        void worker.terminate();
        reject(new Error(msg.type === 'fatal' ? msg.message : 'writer thread failed to start'));
      }
    });
    worker.once('error', reject);
    worker.once('exit', onExit);
  });
}

/**
 * The event loop's side of the writer thread. Group commit: while one batch is
 * being committed, new writes queue; when it returns, everything queued goes
 * as the next batch. At most one batch is in flight, so results come back in
 * submission order, and so do acks and fan-out.
 *
 * Parking (parkAfterMs): a quiet server need not keep a whole isolate for
 * writes that do not come. Writes that arrive while it is parked, parking or
 * starting again wait in the same queue and go as one batch once it is ready.
 */
export class Writer {
  /** null while parked. */
  private worker: Worker | null = null;
  /** Set while a parked thread is being started again for queued writes. */
  private waking = false;
  /** Set while the thread checkpoints and exits to park. */
  private parking: Promise<void> | null = null;
  private parkTimer: NodeJS.Timeout | null = null;
  private lastBusy = 0;
  private readonly queue = new PendingWrites();
  private readonly queueBytesMax: number;
  private inFlight: WriteCallback[] | null = null;
  private inFlightOps: WriteOp[] = [];
  private closing: Promise<void> | null = null;
  private dead: string | null = null;
  private idleWaiters: Array<() => void> = [];
  /** Open together() calls: while above 0, submit() queues without starting a batch. */
  private holding = 0;

  private constructor(private readonly options: WriterOptions, worker: Worker) {
    this.queueBytesMax = options.queueBytes ?? Number.POSITIVE_INFINITY;
    this.attach(worker);
    this.armPark();
  }

  static async start(options: WriterOptions): Promise<Writer> {
    return new Writer(options, await spawnThread(options));
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (msg: FromWriter) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(`writer thread crashed: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.closing === null && this.parking === null) this.fail(`writer thread exited (${code})`);
    });
  }

  /** False while parked: no thread, nothing open for writing. */
  get running(): boolean {
    return this.worker !== null && this.parking === null;
  }

  get depth(): number {
    return this.queue.length + (this.inFlight?.length ?? 0);
  }

  /** Estimated bytes of the writes waiting (not those being committed). */
  get queuedBytes(): number {
    return this.queue.bytes;
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /**
   * Queues one write; false when the queue is full (by count or by bytes),
   * closing, or the thread is gone. A write alone in the queue is never
   * refused for its size: the byte bound limits a backlog, not a message.
   */
  submit<O extends WriteOp>(op: O, done: (result: ResultOf<O>) => void): boolean {
    if (this.dead !== null || this.closing !== null || this.queue.length >= this.options.queueMax) return false;
    const size = writeOpBytes(op);
    if (this.queue.length > 0 && this.queue.bytes + size > this.queueBytesMax) return false;
    this.queue.push(op, done as WriteCallback, size);
    if (this.inFlight === null && this.holding === 0) this.dispatch();
    return true;
  }

  /**
   * Runs `fn`, starting no batch until it returns, so the writes it submits
   * to an idle writer share one commit — one fsync, and one delivery of their
   * results (whose frames then leave in the same event-loop turn). Without
   * it the first write would go alone and the rest wait for the next batch.
   */
  together<T>(fn: () => T): T {
    this.holding++;
    try {
      return fn();
    } finally {
      this.holding--;
      if (this.holding === 0 && this.inFlight === null && this.queue.length > 0) this.dispatch();
    }
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
      if (this.parkTimer !== null) clearTimeout(this.parkTimer);
      if (this.parking !== null) await this.parking;
      // A parked thread has already checkpointed and closed the database.
      if (this.dead !== null || this.worker === null) return;
      await closeThread(this.worker);
    })();
    return this.closing;
  }

  private dispatch(): void {
    if (this.queue.length === 0) {
      this.wakeIdle();
      return this.armPark();
    }
    // Parking or starting: the writes wait, and go when it is done.
    if (this.parking !== null || this.waking) return;
    if (this.worker === null) return this.wake();
    const { ops, cbs } = this.queue.take(this.options.batchMax);
    this.inFlight = cbs;
    this.inFlightOps = ops;
    this.worker.postMessage({ type: 'batch', ops });
  }

  /** Nothing queued, in flight, held, starting or stopping, and a thread to park. */
  private quiet(): boolean {
    return this.worker !== null && this.inFlight === null && this.queue.length === 0 && this.holding === 0 &&
      !this.waking && this.parking === null && this.closing === null && this.dead === null;
  }

  /**
   * One timer per writer, armed when it goes quiet: a busy writer only moves
   * lastBusy (no timer reset per batch), and the timer, when it fires early,
   * waits out the rest.
   */
  private armPark(): void {
    const after = this.options.parkAfterMs ?? 0;
    if (after <= 0 || this.closing !== null) return;
    this.lastBusy = performance.now();
    if (this.parkTimer !== null) return;
    const check = (): void => {
      this.parkTimer = null;
      if (!this.quiet()) return;
      const left = this.lastBusy + after - performance.now();
      if (left > 0) {
        this.parkTimer = setTimeout(check, left);
        this.parkTimer.unref();
      } else this.park();
    };
    this.parkTimer = setTimeout(check, after);
    this.parkTimer.unref();
  }

  private park(): void {
    const worker = this.worker;
    if (worker === null) return;
    this.parking = closeThread(worker).then(() => {
      this.worker = null;
      this.parking = null;
      this.guarded(() => this.options.onPark?.(true), undefined);
      // Writes that came while it was closing.
      if (this.queue.length > 0 && this.holding === 0) this.dispatch();
    });
  }

  private wake(): void {
    if (this.dead !== null) return;
    this.waking = true;
    spawnThread(this.options).then((worker) => {
      this.waking = false;
      if (this.dead !== null) {
        void worker.terminate();
        return;
      }
      this.attach(worker);
      this.guarded(() => this.options.onPark?.(false), undefined);
      if (this.holding === 0) this.dispatch();
    }, (err: Error) => {
      this.waking = false;
      this.fail(`writer thread could not start again: ${err.message}`);
    });
  }

  private onMessage(msg: FromWriter): void {
    if (msg.type === 'results') {
      const cbs = this.inFlight ?? [];
      const ops = this.inFlightOps;
      this.inFlight = null;
      this.inFlightOps = [];
      this.guarded(() => this.options.onBatch?.(cbs.length, msg.commitMs), undefined);
      // Dispatch first so the disk starts on the next batch while this one is acked.
      this.dispatch();
      const results = msg.results;
      const run = (): void => {
        for (let i = 0; i < cbs.length; i++) this.settle(cbs[i], results[i] ?? NO_RESULT, ops[i]);
      };
      if (this.options.deliver === undefined) run();
      else this.guarded(() => this.options.deliver?.(run), undefined);
    } else if (msg.type === 'fatal') {
      this.fail(msg.message);
    }
  }

  /** One callback is one failure domain: its throw is reported, and the next callback still runs. */
  private settle(cb: WriteCallback | undefined, result: WriteResult, op: WriteOp | undefined): void {
    try {
      cb?.(result);
    } catch (err) {
      this.report(err, op);
    }
  }

  private guarded(fn: () => void, op: WriteOp | undefined): void {
    try {
      fn();
    } catch (err) {
      this.report(err, op);
    }
  }

  private report(err: unknown, op: WriteOp | undefined): void {
    try {
      this.options.onError?.(err, op);
    } catch {
      // A reporter that fails has nothing left to report to; the other callbacks matter more.
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) this.guarded(w, undefined);
  }

  private fail(message: string): void {
    if (this.dead !== null) return;
    this.dead = message;
    const failed: WriteResult = { ok: false, code: 'unavailable', message };
    const inFlight = this.inFlight ?? [];
    const inFlightOps = this.inFlightOps;
    const queued = this.queue.drain();
    this.inFlight = null;
    this.inFlightOps = [];
    for (let i = 0; i < inFlight.length; i++) this.settle(inFlight[i], failed, inFlightOps[i]);
    for (let i = 0; i < queued.cbs.length; i++) this.settle(queued.cbs[i], failed, queued.ops[i]);
    this.wakeIdle();
    this.guarded(() => this.options.onFatal?.(message), undefined);
  }
}
