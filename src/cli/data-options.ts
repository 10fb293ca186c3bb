import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { configFileToUse } from '../config/default-file.js';
import { loadConfig, type RawValue } from '../config/load.js';
import type { Config, SettingName } from '../config/schema.js';
import { warnAboutPermissions } from './permission-warnings.js';
import { backupIfMigrationPending, schemaState } from '../ops/upgrade.js';
import { databasePath, openWritable, type Db } from '../store/db/database.js';
import { UsageError } from './io.js';

export interface DataFlags { data?: string; config?: string }

/** Every command that touches data takes --data DIR (or ROOST_DATA) and --config FILE. */
export function withDataOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data folder (env ROOST_DATA; default ./roost-data)')
    .option('--config <file>', 'config file (JSON; env ROOST_CONFIG; default /etc/roost/roost.json when present)');
}

export function configFrom(flags: DataFlags, extra: Partial<Record<SettingName, RawValue>> = {}): Config {
  const f: Partial<Record<SettingName, RawValue>> = { ...extra };
  if (flags.data !== undefined) f.dataDir = flags.data;
  return loadConfig({ file: configFileToUse(flags.config), flags: f }).config;
}

/**
 * Only `serve`, `restore` and `service install` create a data folder or a
 * database. Every other command given a mistyped --data would otherwise make an
 * empty one (a user table with no admin, a backup of nothing) and report success.
 */
export function requireDatabase(dataDir: string): void {
  const file = resolve(databasePath(dataDir));
  if (!existsSync(file)) throw new UsageError(`no Roost database in ${resolve(dataDir)} (roost.db not found) — check --data or ROOST_DATA; \`roost serve\` creates one`);
  // Opening it writable would migrate it: Roost's tables written into another program's file, an empty file made a database.
  let found: number;
  try {
    found = schemaState(dataDir).found;
  } catch (err) {
    throw new UsageError(`${file} is not a Roost database (${(err as Error).message}) — check --data or ROOST_DATA`);
  }
  if (found === 0) throw new UsageError(`${file} is not a Roost database (no Roost schema in it) — check --data or ROOST_DATA`);
}

/** The settings of a command that works on an existing database; refuses a folder without one. */
export function configWithDatabase(flags: DataFlags): Config {
  const config = configFrom(flags);
  requireDatabase(config.dataDir);
  return config;
}

/** Opens the data folder's existing database for an admin command, and always closes it. */
export async function withDb<T>(flags: DataFlags, fn: (db: Db, config: Config) => T | Promise<T>): Promise<T> {
  const config = configWithDatabase(flags);
  // An upgraded Roost migrates on first open; the database is copied aside first.
  await backupIfMigrationPending(config.dataDir);
  warnAboutPermissions(config.dataDir);
  const db = openWritable(config.dataDir, config.synchronous);
  try {
    return await fn(db, config);
  } finally {
    db.close();
  }
}
