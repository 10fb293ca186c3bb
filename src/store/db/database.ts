import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type Synchronous = 'FULL' | 'NORMAL';

/** Page size of databases created from now on (existing ones keep theirs). */
export const NEW_DATABASE_PAGE_SIZE = 1024;
export type Db = Database.Database;

/** WAL bytes written between automatic checkpoints, whatever the page size. */
export const CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024;

/**
 * SQLite counts the checkpoint threshold in pages. A fixed page count (the default 1000) would make
 * 1 KiB-page databases checkpoint four times as often as 4 KiB ones, and each checkpoint copies the
 * same hot pages (indexes, the room's seq) again: the writer lost a third of its throughput to it.
 * A threshold in bytes keeps 4 KiB databases at ~1000 pages and gives 1 KiB ones 4096.
 */
export function autocheckpointPages(pageSize: unknown): number {
  const size = typeof pageSize === 'number' && pageSize > 0 ? pageSize : 4096;
  return Math.ceil(CHECKPOINT_WAL_BYTES / size);
}

export function databasePath(dataDir: string): string {
  return join(dataDir, 'roost.db');
}

/** The data folder holds messages people consider private: owner-only. */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/**
 * Page cache of the writer thread's connection. What it reads is the hot edge of the
 * tables it appends to (the newest rows, each active room's index leaves), a few MiB
 * whatever the history's size. A bigger cache is slower, not faster: at the end of every
 * commit SQLite walks the page cache's hash table (pcache1TruncateUnsafe, 7 % of the thread in
 * `perf`): with 64 MiB of pages cached the writer committed 26,766 msg/s where 4 MiB gives
 * 31,694 (`node dist/bench/writer-micro.js --messages 300000 --batch 280`, docs/benchmark.md).
 */
export const WRITER_CACHE_KIB = 4 * 1024;

/**
 * Page cache of every other connection: the gateway's reader, the search, admin and backup
 * threads, the CLI. In WAL mode a connection throws its whole cache away when it starts a
 * read after another connection committed, so under chat traffic a reader's cache lives
 * milliseconds, and a big one costs more to throw away: the first history page after a
 * commit took ~400 µs with 64 MiB cached, ~260 µs with 2 MiB, on the event loop, once per
 * commit (`node dist/bench/commit-effects.js`). The file's pages are in the OS cache anyway.
 */
export const DEFAULT_CACHE_KIB = 2 * 1024;

/** How long a connection waits for another's lock before SQLITE_BUSY (a commit's fsync on a slow card). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * A connection that waits for locks from its first statement: the opening pragmas
 * (journal_mode, the schema check) need locks too, and another connection's
 * checkpoint or commit must not fail them at once.
 */
function connect(path: string, options?: Database.Options): Db {
  const db = new Database(path, options);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function applyCommonPragmas(db: Db, cacheKiB: number): void {
  db.pragma(`cache_size = -${Math.max(1, Math.floor(cacheKiB))}`);
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
}

/**
 * The one read-write connection kind: WAL, the chosen synchronous mode,
 * schema brought up to date. Used by the writer thread and by CLI commands.
 */
export function openWritable(dataDir: string, synchronous: Synchronous = 'FULL', cacheKiB = DEFAULT_CACHE_KIB): Db {
  ensureDataDir(dataDir);
  const path = databasePath(dataDir);
  const db = connect(path);
  try {
    chmodSync(path, 0o600);
    // Every commit appends each page it touches to the WAL, and a message touches ~8 (its row, two
    // indexes, three search-index tables, the room's seq, the sender's read mark): 1 KiB pages write
    // a third of the bytes 4 KiB pages do, which is what wears an SD card at chat rates
    // (docs/benchmark.md, "Wear"). Only a new database takes it: SQLite ignores page_size on an
    // existing one (a change would need VACUUM outside WAL mode), so older folders keep 4 KiB.
    db.pragma(`page_size = ${NEW_DATABASE_PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    // Checkpoints run on this connection's commits (the writer thread), never on the event loop.
    db.pragma(`wal_autocheckpoint = ${autocheckpointPages(db.pragma('page_size', { simple: true }))}`);
    applyCommonPragmas(db, cacheKiB);
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** A read-only connection for history pages and lookups; it cannot take a write lock. */
export function openReadOnly(dataDir: string, cacheKiB = DEFAULT_CACHE_KIB): Db {
  const db = connect(databasePath(dataDir), { readonly: true, fileMustExist: true });
  applyCommonPragmas(db, cacheKiB);
  return db;
}

/** What a clean close does: fold the WAL back, refresh planner stats. */
export function closeWritable(db: Db): void {
  try {
    db.pragma('optimize');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
