/**
 * One scheduled backup, off the gateway's event loop: the copy, the fsync of
 * the target, the integrity check of the copy, and then pruning the folder
 * (it reads every backup left there) can take seconds on a Pi.
 */
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { backupDatabase, type BackupResult } from './backup.js';
import { pruneBackupFiles, pruneBackups, type FilesPrune } from './backup-prune.js';

export type BackupReply =
  | { ok: true; result: BackupResult; pruned: string[]; filesPruned: FilesPrune }
  | { ok: false; message: string };

const port = parentPort;
if (port === null) throw new Error('backup-thread must run as a worker');
const { dataDir, file, keep } = workerData as { dataDir: string; file: string; keep: number };
backupDatabase(dataDir, file).then(
  (result) => {
    const dir = dirname(file);
    const pruned = pruneBackups(dir, keep);
    port.postMessage({ ok: true, result, pruned, filesPruned: pruneBackupFiles(dir) } satisfies BackupReply);
  },
  (err: Error) => port.postMessage({ ok: false, message: err.message } satisfies BackupReply),
);
