import { Worker } from 'node:worker_threads';
import type { SearchHit } from '../../protocol/frames.js';
import type { SearchReply, SearchRequest } from './search-thread.js';
import { toMatchQuery } from './search-text.js';

const MAX_PENDING = 256;

/**
 * What a search asks. The rules decide which rooms a user may search (the
 * `rooms` argument); chat/ports.ts's SearchSource takes this shape, and the
 * server wires this service in as one.
 */
export interface SearchQuery { user: number; query: string; room?: number; limit: number; before?: number }

function threadUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./search-thread${ext}`, import.meta.url);
}

/** The event loop's side of the search thread: a bounded set of requests in flight. */
export class SearchService {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (hits: SearchHit[]) => void; reject: (err: Error) => void }>();
  private nextId = 1;

  constructor(dataDir: string) {
    this.worker = new Worker(threadUrl(), { workerData: { dataDir } });
    this.worker.unref();
    this.worker.on('message', (reply: SearchReply) => {
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.hits);
      else p.reject(new Error(reply.message));
    });
    this.worker.on('error', (err) => this.failAll(err));
  }

  search(q: SearchQuery, rooms: readonly number[]): Promise<SearchHit[]> {
    const parsed = toMatchQuery(q.query);
    if (parsed === null || rooms.length === 0) return Promise.resolve([]);
    if (this.pending.size >= MAX_PENDING) return Promise.reject(new Error('too many searches in progress'));
    const id = this.nextId++;
    const req: SearchRequest = {
      id, match: parsed.match, terms: parsed.terms, rooms: [...rooms], before: q.before ?? Number.MAX_SAFE_INTEGER, limit: q.limit,
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.failAll(new Error('shutting down'));
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
