import type { Logger } from '../log.js';
import type { Db } from '../store/db/database.js';
import { DAY_MS, retentionPolicies } from '../store/history/retention.js';
import { PeriodicJob, type JobWriter } from './periodic-job.js';

/** Kept as a name for callers; any JobWriter will do. */
export type PurgeWriter = JobWriter;

export interface RetentionJobOptions {
  /** Rows per purge op: the longest a batch of sends waits behind a purge is the time to delete this many. */
  batch: number;
  intervalMs: number;
  /** Injectable for tests: "now" as the policy sees it. */
  now?: () => number;
  log?: Logger;
}

/**
 * The background purge. Why through the writer thread rather than on a
 * connection of its own: SQLite has one write lock. A second connection's
 * delete transaction would make the writer's BEGIN IMMEDIATE wait in SQLite's
 * busy handler, which sleeps in growing steps, so a send could stall far
 * longer than the delete itself. As a write op, each purge of `batch` rows is
 * queued like any send, commits in the same transaction (and the same fsync)
 * as the sends around it, and the writer never waits on a lock. One op is in
 * flight at a time and the job yields between ops, so sends keep flowing.
 */
export class RetentionJob extends PeriodicJob<number> {
  private readonly now: () => number;

  constructor(private readonly db: Db, private readonly writer: JobWriter, private readonly options: RetentionJobOptions) {
    super(options.intervalMs);
    this.now = options.now ?? Date.now;
  }

  /** Starts the schedule and a first pass now. */
  override start(): void {
    super.start({ runNow: true });
  }

  /** One pass over every room; resolves with the number of messages purged. */
  protected async pass(): Promise<number> {
    let total = 0;
    try {
      const oldest = this.db.prepare<[number], { ts: number }>('SELECT ts FROM messages WHERE room_id = ? ORDER BY seq LIMIT 1');
      // The oldest change left of a message already purged (an edit made after it, a late reaction).
      const oldestChange = this.db.prepare<[number], { ts: number }>(`SELECT c.ts FROM message_changes c
        JOIN purge_checkpoints p ON p.room_id = c.room_id WHERE c.room_id = ? AND c.seq <= p.through_seq ORDER BY c.cseq LIMIT 1`);
      for (const p of retentionPolicies(this.db).rooms) {
        if (p.days === 0 || p.hold) continue;
        const before = this.now() - p.days * DAY_MS;
        const first = oldest.get(p.room);
        const change = oldestChange.get(p.room);
        const due = (first !== undefined && first.ts < before) || (change !== undefined && change.ts < before);
        if (!due) continue;
        for (;;) {
          if (this.stopped) return total;
          const r = await this.writer.run({ k: 'purge', room: p.room, before, max: this.options.batch });
          if (!r.ok) {
            this.options.log?.warn({ room: p.room, code: r.code, reason: r.message }, 'retention purge failed; will retry');
            break;
          }
          total += r.purged;
          if (!r.more) {
            if (r.purged > 0 || total > 0) this.options.log?.info({ room: p.room, throughSeq: r.throughSeq }, 'retention purge done');
            break;
          }
          // Let the event loop (and its sends) run between ops.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } catch (err) {
      this.options.log?.error({ err }, 'retention pass failed');
    }
    return total;
  }
}
