import { Worker } from 'node:worker_threads';
import type { AdminOpName, AdminOps, Outcome } from './admin-ops.js';
import type { Synchronous } from '../db/database.js';
import { storeThreadUrl } from '../thread-url.js';
import type { AdminReply, AdminRequest } from './admin-thread.js';

/** Admin actions are a person clicking: a few at a time. Beyond this, refuse rather than queue. */
const MAX_PENDING = 64;

/** A thread that died is started again by the first action after this long: a spawn per click at most, not a loop. */
export const RESTART_AFTER_MS = 5_000;

/**
 * The event loop's side of the admin thread (chat's AdminStore port). The
 * thread is a whole V8 isolate and its own SQLite connection, for a page an
 * admin opens now and then: it starts on the first action, not with the server.
 * A thread that dies (its database briefly unopenable, a fault) costs the
 * actions in flight and those of the next few seconds, not every admin action
 * until the server restarts.
 */
export class AdminWorker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, (outcome: Outcome<unknown>) => void>();
  private nextId = 1;
  private dead: { message: string; at: number } | null = null;
  private closing = false;

  /** `onFailed`: told each time the thread dies (actions answer `unavailable` until it is started again). */
  constructor(
    private readonly dataDir: string, private readonly synchronous: Synchronous, private readonly onFailed?: (message: string) => void,
    private readonly restartAfterMs = RESTART_AFTER_MS, private readonly now: () => number = Date.now,
  ) {}

  /** True while a thread runs (started by an action, not yet dead or closed). */
  get started(): boolean {
    return this.worker !== null;
  }

  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(storeThreadUrl('admin/admin-thread'), { workerData: { dataDir: this.dataDir, synchronous: this.synchronous } });
    worker.unref();
    worker.on('message', (reply: AdminReply) => {
      const done = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      done?.(reply.outcome);
    });
    // 'error' is followed by 'exit': only the first tells, and only while this is still the thread.
    worker.on('error', (err) => this.died(worker, `admin thread failed: ${err.message}`));
    worker.on('exit', (code) => this.died(worker, `admin thread exited (${code})`));
    this.worker = worker;
    return worker;
  }

  run<K extends AdminOpName>(k: K, args: AdminOps[K]['in'], actor: string): Promise<Outcome<AdminOps[K]['out']>> {
    if (this.closing) return unavailable('shutting down');
    if (this.dead !== null) {
      if (this.now() - this.dead.at < this.restartAfterMs) return unavailable(this.dead.message);
      this.dead = null;
    }
    if (this.pending.size >= MAX_PENDING) return unavailable('too many admin actions in progress');
    let worker: Worker;
    try {
      worker = this.thread();
    } catch (err) {
      const message = `admin thread cannot start: ${(err as Error).message}`;
      this.died(null, message);
      return unavailable(message);
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (outcome: Outcome<unknown>) => void);
      worker.postMessage({ id, k, args, actor } satisfies AdminRequest);
    });
  }

  /** Lets the actions in progress finish, then closes the thread's connection. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!this.closing && worker !== null) {
      this.closing = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Held while it finishes, so a caller awaiting close() is not left behind by an emptied event loop.
      worker.ref();
      worker.postMessage('close');
      await exited;
    }
    this.closing = true;
    this.fail('shutting down');
  }

  private died(worker: Worker | null, message: string): void {
    if (worker !== this.worker) return;
    this.worker = null;
    this.fail(message);
    if (this.closing) return; // the exit close() asked for
    this.dead = { message, at: this.now() };
    try {
      this.onFailed?.(message);
    } catch {
      // A reporter that throws has nowhere left to report to.
    }
  }

  private fail(message: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const done of waiting) done(refused(message));
  }
}

const refused = (message: string): Outcome<never> => ({ ok: false, code: 'unavailable', message });

function unavailable(message: string): Promise<Outcome<never>> {
  return Promise.resolve(refused(message));
}
