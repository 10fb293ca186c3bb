import type { Database } from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/db/migrations.js';

/** Brings an empty database to schema `version` exactly as a release of that schema left it: migrations 1 to `version`, nothing after. */
export function schemaAt(db: Database, version: number): void {
  for (const [i, sql] of MIGRATIONS.slice(0, version).entries()) {
    db.exec(sql);
    db.pragma(`user_version = ${i + 1}`);
  }
}
