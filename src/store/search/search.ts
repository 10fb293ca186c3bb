import { Worker } from 'node:worker_threads';
import type { SearchHit } from '../../protocol/frames.js';
import { storeThreadUrl } from '../thread-url.js';
import type { SearchReply, SearchRequest } from './search-thread.js';
import { toMatchQuery } from './search-text.js';

const MAX_PENDING = 256;

/**
 * What a search asks. The rules decide which rooms a user may search (the
 * `rooms` argument); chat/ports.ts's SearchSource takes this shape, and the
 * server wires this service in as one.
 */
export interface SearchQuery {
  user: number; query: string; room?: number; limit: number; before?: number;
  /** Rooms the user may read only from a later seq on (`history: joined`): the first seq found there. */
  fromSeq?: ReadonlyMap<number, number>;
}

/**
 * The event loop's side of the search thread: a bounded set of requests in flight.
 * The thread is a whole V8 isolate (~10 MiB resident) that many servers never
 * use, so it starts on the first search, not with the server. A thread that
 * fails answers its searches with the reason; the next search starts a new one.
 */
export class SearchService {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (hits: SearchHit[]) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly dataDir: string) {}

  /** True once a search has started the thread (and it has not failed since). */
  get running(): boolean {
    return this.worker !== null;
  }

  search(q: SearchQuery, rooms: readonly number[]): Promise<SearchHit[]> {
    const parsed = toMatchQuery(q.query);
    if (parsed === null || rooms.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new Error('shutting down'));
    if (this.pending.size >= MAX_PENDING) return Promise.reject(new Error('too many searches in progress'));
    const id = this.nextId++;
    const req: SearchRequest = {
      id, match: parsed.match, terms: parsed.terms, rooms: rooms.map((r) => [r, q.fromSeq?.get(r) ?? 1]), before: q.before ?? Number.MAX_SAFE_INTEGER, limit: q.limit,
    };
    return new Promise((resolve, reject) => {
      let worker: Worker;
      try {
        worker = this.thread();
      } catch (err) {
        reject(new Error(`search thread cannot start: ${(err as Error).message}`));
        return;
      }
      this.pending.set(id, { resolve, reject });
      worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('shutting down'));
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(storeThreadUrl('search/search-thread'), { workerData: { dataDir: this.dataDir } });
    worker.unref();
    worker.on('message', (reply: SearchReply) => {
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.hits);
      else p.reject(new Error(reply.message));
    });
    worker.on('error', (err) => this.lost(worker, `search thread failed: ${err.message}`));
    worker.on('exit', (code) => this.lost(worker, `search thread exited (${code})`));
    this.worker = worker;
    return worker;
  }

  /** Only the current thread's loss fails the searches in flight; a thread already replaced says nothing. */
  private lost(worker: Worker, message: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(new Error(message));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
