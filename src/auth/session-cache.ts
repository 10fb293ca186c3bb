import type { SessionRow } from './sessions.js';

/**
 * Session rows recently read from the store, by token hash, each trusted for
 * at most `ttlMs` after its read. Only reads that ask for it use them (the
 * Matrix door's GETs: a client's `/sync` re-polls several times a second);
 * the server's own logouts and session ends forget their tokens at once, the
 * events feed's revocations and disabled users forget everything.
 */
export class SessionCache {
  private readonly rows = new Map<string, { row: SessionRow; readAt: number }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries: number) {}

  get(tokenHash: string, now: number): SessionRow | undefined {
    const e = this.rows.get(tokenHash);
    if (e === undefined) return undefined;
    if (now - e.readAt < this.ttlMs) return e.row;
    this.rows.delete(tokenHash);
    return undefined;
  }

  put(tokenHash: string, row: SessionRow, now: number): void {
    // Past its bound the cache starts over: it holds the last few seconds' tokens, never all of them.
    if (this.rows.size >= this.maxEntries) this.rows.clear();
    this.rows.set(tokenHash, { row, readAt: now });
  }

  forget(tokenHashes: readonly string[]): void {
    for (const h of tokenHashes) this.rows.delete(h);
  }

  clear(): void {
    this.rows.clear();
  }
}
