import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { BackupSchedule } from './backup-schedule.js';
import { defaultBackupDir } from '../store/backup/backup.js';
import type { Db } from '../store/db/database.js';
import { RetentionJob, type PurgeWriter } from './retention-job.js';

/** The server's background work on history: the retention purge and scheduled backups. */
export interface HistoryJobs {
  readonly retention: RetentionJob;
  /** Null when scheduled backups are off (backupIntervalMinutes = 0). */
  readonly backups: BackupSchedule | null;
  stop(): Promise<void>;
}

export interface HistoryJobHooks {
  /** The retention clock; tests move it forward instead of waiting days. */
  now?: () => number;
}

export function startHistoryJobs(config: Config, readDb: Db, writer: PurgeWriter, log: Logger, hooks: HistoryJobHooks = {}): HistoryJobs {
  const retention = new RetentionJob(readDb, writer, {
    batch: config.purgeBatch, intervalMs: config.retentionCheckSeconds * 1000, now: hooks.now, log,
  });
  retention.start();
  const backups = config.backupIntervalMinutes === 0 ? null : new BackupSchedule({
    dataDir: config.dataDir,
    dir: config.backupDir === '' ? defaultBackupDir(config.dataDir) : config.backupDir,
    intervalMs: config.backupIntervalMinutes * 60_000,
    keep: config.backupKeep,
    log,
    writer,
  });
  backups?.start();
  return {
    retention,
    backups,
    async stop() {
      await Promise.all([retention.stop(), backups?.stop()]);
    },
  };
}
