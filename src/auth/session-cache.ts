import type { SessionRow } from './sessions.js';

/**
 * How much of its time a row may lose at random: rows read together (every
 * client of a restarted server, every poll woken by one busy room) are read
 * again spread over the last quarter of their time, not in one burst. Five
 * thousand rows read in the same second and expiring together made a
 * 200 msg/s load's deliveries wait up to 89 ms (docs/benchmark.md, "The
 * load's first second").
 */
const SPREAD = 0.25;

/**
 * Session rows recently read from the store, by token hash, each trusted for
 * at most `ttlMs` after its read, at most `maxEntries` of them. Only reads
 * that ask for it use them (the Matrix door's GETs: a client's `/sync`
 * re-polls several times a second);
 * the server's own logouts and session ends forget their tokens at once, the
 * events feed's revocations and disabled users forget everything.
 */
export class SessionCache {
  private readonly rows = new Map<string, { row: SessionRow; until: number }>();

  /** `random`: in [0, 1), how much of `SPREAD` a row loses (tests pin it). */
  constructor(private readonly ttlMs: number, private readonly maxEntries: number, private readonly random: () => number = Math.random) {}

  get(tokenHash: string, now: number): SessionRow | undefined {
    const e = this.rows.get(tokenHash);
    if (e === undefined) return undefined;
    if (now < e.until) return e.row;
    this.rows.delete(tokenHash);
    return undefined;
  }

  put(tokenHash: string, row: SessionRow, now: number): void {
    // At its bound the row read longest ago goes (a Map iterates in insertion order; a row put
    // again moves to the end): one row at a time, never every client's row at once, which would
    // send them all to the store together.
    if (!this.rows.delete(tokenHash) && this.rows.size >= this.maxEntries) {
      const oldest = this.rows.keys().next();
      if (oldest.done !== true) this.rows.delete(oldest.value);
    }
    this.rows.set(tokenHash, { row, until: now + this.ttlMs * (1 - SPREAD * this.random()) });
  }

  forget(tokenHashes: readonly string[]): void {
    for (const h of tokenHashes) this.rows.delete(h);
  }

  clear(): void {
    this.rows.clear();
  }
}
