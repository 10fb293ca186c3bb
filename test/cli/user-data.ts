import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeWritable, openReadOnly, openWritable } from '../../src/store/db/database.js';

export interface UserRowView { hash: string; disabled: number; role: string; display_name: string }

/** A fresh data folder for CLI user commands, and read-only looks at what they stored. */
export function userData(t: { teardown(fn: () => void): void }): {
  data: string; userRow(name: string): UserRowView; auditActions(): Array<{ action: string; details: string }>;
} {
  const data = mkdtempSync(join(tmpdir(), 'roost-cli-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  closeWritable(openWritable(data));
  const read = <T>(fn: (db: ReturnType<typeof openReadOnly>) => T): T => {
    const db = openReadOnly(data);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    data,
    userRow: (name) => read((db) => db.prepare('SELECT password_hash AS hash, disabled, role, display_name FROM users WHERE name = ?').get(name) as UserRowView),
    auditActions: () => read((db) => db.prepare('SELECT action, details FROM audit_log ORDER BY id').all() as Array<{ action: string; details: string }>),
  };
}
