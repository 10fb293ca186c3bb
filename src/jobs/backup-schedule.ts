import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { serverActor } from '../store/history/audit.js';
import { backupFileName, ensureBackupDir, type BackupResult } from '../store/backup/backup.js';
import type { BackupReply } from '../store/backup/backup-thread.js';
import { storeThreadUrl } from '../store/thread-url.js';
import { PeriodicJob } from './periodic-job.js';
import type { PurgeWriter } from './retention-job.js';

export interface BackupScheduleOptions {
  dataDir: string;
  dir: string;
  intervalMs: number;
  /** Newest backups kept; older ones in `dir` that Roost named are deleted, and then the files no backup left names. */
  keep: number;
  log: Logger;
  /** Records each backup in the audit log through the writer thread. */
  writer: PurgeWriter;
}

/** Scheduled backups written by the server: one timer, one worker per backup, never two at once. */
export class BackupSchedule extends PeriodicJob<BackupResult | null> {
  constructor(private readonly options: BackupScheduleOptions) {
    super(options.intervalMs);
  }

  /** Takes one backup; resolves with it, or null when it failed (logged, and audited). */
  protected async pass(): Promise<BackupResult | null> {
    const { dataDir, dir, keep, log, writer } = this.options;
    const actor = serverActor('scheduled-backup');
    let reply: BackupReply;
    try {
      ensureBackupDir(dir);
      const file = join(dir, backupFileName());
      reply = await new Promise<BackupReply>((resolve, reject) => {
        const worker = new Worker(storeThreadUrl('backup/backup-thread'), { workerData: { dataDir, file, keep } });
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`backup thread exited (${code})`)));
      });
    } catch (err) {
      reply = { ok: false, message: (err as Error).message };
    }
    if (!reply.ok) {
      log.error({ dir, reason: reply.message }, 'scheduled backup failed');
      await writer.run({ k: 'audit', actor, action: 'backup.failed', details: { dir, reason: reply.message } });
      return null;
    }
    const { result: r, pruned, filesPruned } = reply;
    const filesMissing = r.files?.missing ?? 0;
    log.info({ file: r.file, bytes: r.bytes, ms: Math.round(r.ms), messages: r.messages, pruned: pruned.length, filesPruned, filesCopied: r.files?.copied ?? 0, filesMissing }, 'scheduled backup written');
    if ('skipped' in filesPruned) log.warn({ dir, reason: filesPruned.skipped }, 'backup files not pruned');
    // A file the database names but the data folder lacks (deleted meanwhile, or lost): a restore of this backup will miss it.
    if (filesMissing > 0) log.warn({ file: r.file, filesMissing }, 'uploaded files named by this backup were not found in the data folder; a restore will lack them');
    await writer.run({ k: 'audit', actor, action: 'backup', details: {
      file: r.file, bytes: r.bytes, messages: r.messages, pruned, ...(filesMissing > 0 ? { filesMissing } : {}),
      ...('skipped' in filesPruned ? { filesNotPruned: filesPruned.skipped } : { filesRemoved: filesPruned.removed, filesRemovedBytes: filesPruned.bytes }),
    } });
    return r;
  }
}
