import type { Logger } from '../log.js';
import type { BlobStore } from '../store/files/blob-store.js';
import type { Db } from '../store/db/database.js';
import { PeriodicJob, type JobWriter } from './periodic-job.js';

/** An upload nobody sent is kept this long (the client may still be composing the message). */
export const UNSENT_GRACE_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

/**
 * The message features' share of the retention work, on the retention schedule: text a
 * legal hold kept hidden (original bodies of edited messages, superseded
 * edits, deleted messages and their files) is scrubbed once the room is no
 * longer on hold, and files no message carries any more (after a purge, or
 * uploads never sent within UNSENT_GRACE_MS) are forgotten, their bytes
 * removed. Every deletion is a bounded write op on the writer thread.
 */
export class CleanupJob extends PeriodicJob<void> {
  constructor(
    private readonly db: Db,
    private readonly writer: JobWriter,
    private readonly blobs: BlobStore,
    private readonly options: { intervalMs: number; now?: () => number; log?: Logger },
  ) {
    super(options.intervalMs);
  }

  protected async pass(): Promise<void> {
    try {
      const rooms = this.db.prepare(`SELECT DISTINCT s.room_id AS room FROM message_state s
        WHERE s.scrubbed = 0 AND coalesce((SELECT legal_hold FROM retention r WHERE r.room_id = s.room_id), 0) = 0`).all() as Array<{ room: number }>;
      for (const { room } of rooms) {
        for (;;) {
          if (this.stopped) return;
          const r = await this.writer.run({ k: 'scrub', room, max: BATCH });
          if (!r.ok) break;
          this.blobs.release(r.freed);
          if (!r.more) break;
        }
      }
      for (;;) {
        if (this.stopped) return;
        const now = (this.options.now ?? Date.now)();
        const r = await this.writer.run({ k: 'gc-files', unpostedBefore: now - UNSENT_GRACE_MS, max: BATCH });
        if (!r.ok) break;
        this.blobs.release(r.freed);
        if (r.removed > 0) this.options.log?.info({ removed: r.removed, freed: r.freed.length }, 'unreferenced files removed');
        if (r.removed < BATCH) break;
      }
    } catch (err) {
      this.options.log?.error({ err }, 'cleanup pass failed');
    }
  }
}
