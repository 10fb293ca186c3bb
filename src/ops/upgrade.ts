import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { databasePath } from '../store/db/database.js';
import { SCHEMA_VERSION, SchemaTooNewError, schemaVersion } from '../store/db/migrations.js';

export interface SchemaState {
  /** False for a data folder with no database yet (a fresh install: nothing to migrate or back up). */
  exists: boolean;
  /** The database's schema version (PRAGMA user_version). */
  found: number;
  /** The version this Roost brings it to. */
  current: number;
  /** Migrations a start would apply, in order. */
  pending: number[];
}

/** Reads the schema version without changing anything (read-only connection, no migration). */
export function schemaState(dataDir: string): SchemaState {
  const path = databasePath(dataDir);
  if (!existsSync(path)) return { exists: false, found: 0, current: SCHEMA_VERSION, pending: [] };
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const found = schemaVersion(db);
    const pending: number[] = [];
    for (let v = found + 1; v <= SCHEMA_VERSION; v++) pending.push(v);
    return { exists: true, found, current: SCHEMA_VERSION, pending };
  } finally {
    db.close();
  }
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Before a migration touches a database that holds data, copies it with
 * SQLite's online backup (better-sqlite3 `db.backup`, consistent even while a
 * server writes) to `roost-v<from>-<time>.db.bak` beside it. Returns the copy's
 * path, or undefined when nothing is pending. A database from a newer Roost is
 * refused here, before anything opens it for writing.
 */
export async function backupIfMigrationPending(dataDir: string, now = new Date()): Promise<string | undefined> {
  const state = schemaState(dataDir);
  if (state.found > state.current) throw new SchemaTooNewError(state.found);
  if (!state.exists || state.found === 0 || state.pending.length === 0) return undefined;
  const target = join(dataDir, `roost-v${state.found}-${stamp(now)}.db.bak`);
  const db = new Database(databasePath(dataDir), { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  chmodSync(target, 0o600);
  return target;
}
