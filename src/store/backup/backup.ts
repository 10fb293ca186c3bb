import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { syncFile } from './sync-file.js';
import Database from 'better-sqlite3';
import { RoostError } from '../../protocol/errors.js';
import { openReadOnly, type Db } from '../db/database.js';
import { backupFiles, type FilesCopy } from './file-backup.js';
import { SCHEMA_VERSION } from '../db/migrations.js';
import { createPrivateFile, makePrivateDir } from './private-files.js';

/**
 * Online backups with SQLite's backup API while the server keeps writing.
 * The copy is made in one step, inside one read transaction: a step-by-step
 * copy restarts whenever another connection commits, which under a steady
 * stream of sends would never finish. WAL lets the writer go on meanwhile.
 * The copy is written as FILE.partial, checked, synced, then renamed: a full
 * or failing target never leaves a file that looks like a good backup, and
 * the live database is only ever read.
 */

export interface DatabaseSummary {
  schemaVersion: number;
  integrity: string;
  users: number;
  rooms: number;
  messages: number;
  /** Newest message time (ms), or null. */
  newest: number | null;
}

export interface BackupResult extends DatabaseSummary {
  file: string; bytes: number; ms: number;
  /** Uploaded files copied to `files/` beside the backup (content-addressed, so incremental). */
  files?: FilesCopy;
}

const TARGET_ERRORS = /^(SQLITE_FULL|SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_READONLY|ENOSPC|EFBIG|EROFS|EACCES|EPERM|EIO|EDQUOT|ENOENT)/;

/** Turns a write failure on the target into one clear sentence. */
export function targetError(what: string, target: string, err: unknown): RoostError {
  const e = err as NodeJS.ErrnoException;
  const code = String(e.code ?? '');
  const reason = code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || code === 'EFBIG' || code === 'EDQUOT' ? 'the target disk is full'
    : code === 'EROFS' || code.startsWith('SQLITE_READONLY') ? 'the target is read-only'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied on the target'
    : 'the target refused the write (failing or disconnected disk?)';
  return new RoostError('unavailable', `${what} to ${target} failed: ${reason} (${code || e.message}); the live database was not touched`);
}

export function isTargetError(err: unknown): boolean {
  return TARGET_ERRORS.test(String((err as NodeJS.ErrnoException).code ?? ''));
}

/** Opens a database file, checks it page by page and describes it. Throws when it is not a sound Roost database. */
export function inspectDatabase(file: string, options: { readonly: boolean }): DatabaseSummary {
  const db = new Database(file, { readonly: options.readonly, fileMustExist: true });
  try {
    return summarize(db);
  } finally {
    db.close();
  }
}

function summarize(db: Db): DatabaseSummary {
  let integrity: string;
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    integrity = rows.map((r) => r.integrity_check).join('; ');
  } catch (err) {
    throw new RoostError('bad_request', `not a readable SQLite database: ${(err as Error).message}`);
  }
  if (integrity !== 'ok') throw new RoostError('bad_request', `integrity check failed: ${integrity.slice(0, 500)}`);
  const schemaVersion = db.pragma('user_version', { simple: true }) as number;
  if (schemaVersion < 1) throw new RoostError('bad_request', 'not a Roost database (schema version 0)');
  if (schemaVersion > SCHEMA_VERSION) {
    throw new RoostError('bad_request', `schema version ${schemaVersion} is newer than this Roost understands (${SCHEMA_VERSION}); upgrade Roost first`);
  }
  const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  const newest = db.prepare('SELECT max(ts) AS ts FROM messages').get() as { ts: number | null };
  return {
    schemaVersion, integrity,
    users: count('SELECT count(*) AS n FROM users'),
    rooms: count('SELECT count(*) AS n FROM rooms'),
    messages: count('SELECT count(*) AS n FROM messages'),
    newest: newest.ts,
  };
}

const removePartial = (partial: string): void => {
  for (const f of [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
};

/** The default name of a backup taken now: sortable, so pruning keeps the newest. */
export function backupFileName(now = Date.now()): string {
  return `roost-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.db`;
}

/** Copies the live database of `dataDir` to `file` while the server may be writing; checks the copy. */
export async function backupDatabase(dataDir: string, file: string): Promise<BackupResult> {
  const target = resolve(file);
  const started = performance.now();
  if (!existsSync(dirname(target))) throw new RoostError('not_found', `the backup folder ${dirname(target)} does not exist (is the drive mounted?)`);
  if (existsSync(target)) throw new RoostError('conflict', `${target} already exists; choose another name`);
  const partial = `${target}.partial`;
  removePartial(partial);
  // A backup reads every page once: a cache would only hold what it has already copied.
  const src = openReadOnly(dataDir);
  try {
    // Made 0600 before SQLite writes a byte into it: the copy is never readable by others.
    createPrivateFile(partial);
    await src.backup(partial, { progress: () => 0x7fffffff });
  } catch (err) {
    removePartial(partial);
    throw isTargetError(err) ? targetError('backup', target, err) : err;
  } finally {
    src.close();
  }
  let summary: DatabaseSummary;
  try {
    const copy = new Database(partial, { fileMustExist: true });
    try {
      // A backup is one self-contained file: no -wal beside it.
      copy.pragma('journal_mode = DELETE');
      summary = summarize(copy);
    } finally {
      copy.close();
    }
    syncFile(partial);
    renameSync(partial, target);
    syncFile(target);
  } catch (err) {
    removePartial(partial);
    throw isTargetError(err) ? targetError('backup', target, err) : err;
  }
  let files: FilesCopy;
  try {
    files = backupFiles(target, dataDir);
  } catch (err) {
    throw isTargetError(err) ? targetError('backup of files', target, err) : err;
  }
  return { ...summary, file: target, bytes: statSync(target).size, ms: performance.now() - started, files };
}

/** Makes a folder for scheduled backups (owner-only: backups hold the same private messages). */
export function ensureBackupDir(dir: string): string {
  makePrivateDir(dir);
  return dir;
}

export const defaultBackupDir = (dataDir: string): string => join(dataDir, 'backups');
