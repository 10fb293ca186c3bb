import { Worker } from 'node:worker_threads';
import type { AdminOpName, AdminOps, Outcome } from './admin-ops.js';
import type { Synchronous } from '../db/database.js';
import { storeThreadUrl } from '../thread-url.js';
import type { AdminReply, AdminRequest } from './admin-thread.js';

/** Admin actions are a person clicking: a few at a time. Beyond this, refuse rather than queue. */
const MAX_PENDING = 64;

/**
 * The event loop's side of the admin thread (chat's AdminStore port). The
 * thread is a whole V8 isolate and its own SQLite connection, for a page an
 * admin opens now and then: it starts on the first action, not with the server.
 */
export class AdminWorker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, (outcome: Outcome<unknown>) => void>();
  private nextId = 1;
  private dead: string | null = null;
  private closing = false;

  /** `onFailed`: told once if the thread dies (every action then answers `unavailable`). */
  constructor(private readonly dataDir: string, private readonly synchronous: Synchronous, private readonly onFailed?: (message: string) => void) {}

  /** True once an action has started the thread. */
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
    worker.on('error', (err) => this.died(`admin thread failed: ${err.message}`));
    worker.on('exit', (code) => this.died(`admin thread exited (${code})`));
    this.worker = worker;
    return worker;
  }

  run<K extends AdminOpName>(k: K, args: AdminOps[K]['in'], actor: string): Promise<Outcome<AdminOps[K]['out']>> {
    if (this.dead !== null || this.closing) return Promise.resolve({ ok: false, code: 'unavailable', message: this.dead ?? 'shutting down' });
    if (this.pending.size >= MAX_PENDING) return Promise.resolve({ ok: false, code: 'unavailable', message: 'too many admin actions in progress' });
    let worker: Worker;
    try {
      worker = this.thread();
    } catch (err) {
      this.died(`admin thread cannot start: ${(err as Error).message}`);
      return Promise.resolve({ ok: false, code: 'unavailable', message: this.dead ?? 'admin thread cannot start' });
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
    if (this.dead === null && !this.closing && worker !== null) {
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

  private died(message: string): void {
    if (this.dead !== null) return;
    this.fail(message);
    if (this.closing) return; // the exit close() asked for
    try {
      this.onFailed?.(message);
    } catch {
      // A reporter that throws has nowhere left to report to.
    }
  }

  private fail(message: string): void {
    this.dead ??= message;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const done of waiting) done({ ok: false, code: 'unavailable', message });
  }
}
