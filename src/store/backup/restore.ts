import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { RoostError } from '../../protocol/errors.js';
import { cliActor, recordAudit, type Actor } from '../history/audit.js';
import { inspectDatabase, isTargetError, targetError, type DatabaseSummary } from './backup.js';
import { syncFile } from './sync-file.js';
import { closeWritable, databasePath, ensureDataDir, openWritable } from '../db/database.js';
import { acquireDataLock } from '../db/data-lock.js';
import { restoreFiles, type FilesCopy } from './file-backup.js';

export interface RestoreResult extends DatabaseSummary {
  from: string;
  into: string;
  /** Where the database that was replaced now lies (null when the folder had none). */
  keptAside: string | null;
  /** Schema version after bringing the restored copy up to date. */
  schemaNow: number;
  /** Uploaded files brought back from `files/` beside the backup; `missing`: named but not found. */
  files?: FilesCopy;
}

/**
 * Puts a backup in place of a data folder's database. Refuses while a server
 * runs on the folder (its pid file), checks the backup first (integrity,
 * schema version), copies it beside the live file, and only then swaps:
 * the old database (and its WAL) is renamed aside, never deleted. A failed
 * copy removes its partial file and leaves the live database as it was.
 */
export function restoreDatabase(backupFile: string, dataDir: string, actor: Actor = cliActor(), now = Date.now()): RestoreResult {
  const from = resolve(backupFile);
  if (!existsSync(from)) throw new RoostError('not_found', `no backup file at ${from}`);
  ensureDataDir(dataDir);
  const release = acquireDataLock(dataDir, 'restore');
  try {
    inspectDatabase(from, { readonly: true });
    const live = databasePath(dataDir);
    const staged = `${live}.restoring`;
    rmSync(staged, { force: true });
    let summary: DatabaseSummary;
    try {
      // Through SQLite, not a file copy: a copy of a running server's folder keeps its newest
      // commits in roost.db-wal beside the file, and a copy of the file alone would drop them.
      stageCopy(from, staged);
      syncFile(staged);
      // What is reported is what was staged.
      summary = inspectDatabase(staged, { readonly: true });
    } catch (err) {
      rmSync(staged, { force: true });
      throw isTargetError(err) ? targetError('restore', dataDir, err) : err;
    }
    let keptAside: string | null = null;
    if (existsSync(live)) {
      keptAside = `${live}.replaced-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
      // The WAL belongs to the old file: it moves with it, so the old database stays whole.
      renameSync(live, keptAside);
      if (existsSync(`${live}-wal`)) renameSync(`${live}-wal`, `${keptAside}-wal`);
      rmSync(`${live}-shm`, { force: true });
    }
    renameSync(staged, live);
    syncFile(live);
    const files = restoreFiles(from, dataDir);
    const db = openWritable(dataDir);
    let schemaNow: number;
    try {
      schemaNow = db.pragma('user_version', { simple: true }) as number;
      recordAudit(db, actor, 'restore', {
        from, keptAside, schemaVersion: summary.schemaVersion, users: summary.users, rooms: summary.rooms, messages: summary.messages,
      }, now);
    } finally {
      closeWritable(db);
    }
    return { ...summary, from, into: live, keptAside, schemaNow, files };
  } finally {
    release();
  }
}

/** A consistent copy of the database at `from` (its WAL's commits included) written to `to`. */
function stageCopy(from: string, to: string): void {
  const db = new Database(from, { readonly: true, fileMustExist: true });
  try {
    db.prepare('VACUUM INTO ?').run(to);
  } finally {
    db.close();
  }
}
