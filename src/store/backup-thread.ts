/**
 * One scheduled backup, off the gateway's event loop: the copy, the fsync of
 * the target and the integrity check of the copy can take seconds on a Pi.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { backupDatabase, type BackupResult } from './backup.js';

export type BackupReply = { ok: true; result: BackupResult } | { ok: false; message: string };

const port = parentPort;
if (port === null) throw new Error('backup-thread must run as a worker');
const { dataDir, file } = workerData as { dataDir: string; file: string };
backupDatabase(dataDir, file).then(
  (result) => port.postMessage({ ok: true, result } satisfies BackupReply),
  (err: Error) => port.postMessage({ ok: false, message: err.message } satisfies BackupReply),
);
