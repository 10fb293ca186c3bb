import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { filesDir } from '../files/blob-store.js';
import { contentsOf } from './file-backup.js';

const OURS = /^roost-\d{8}T\d{6}Z\.db$/;

/** Deletes the oldest Roost-named backups beyond `keep`; returns the names removed. */
export function pruneBackups(dir: string, keep: number): string[] {
  const ours = readdirSync(dir).filter((f) => OURS.test(f)).sort();
  const doomed = ours.slice(0, Math.max(0, ours.length - keep));
  for (const f of doomed) rmSync(join(dir, f), { force: true });
  return doomed;
}

export type FilesPrune = { removed: number; bytes: number } | { skipped: string };

const CONTENT = /^([0-9a-f]{64})(\.thumb\.webp)?$/;

/**
 * After old backups are deleted: removes the contents in `files/` beside them
 * that no backup left in the folder names, or uploads deleted from the server
 * would fill the backup drive for ever. Every `.db` in the folder counts, not
 * only Roost-named ones (someone's manual `roost backup` there shares
 * `files/`); when one of them cannot be read, nothing is removed, since its
 * contents are unknown. Partial copies (`.partial`) are left to the copier.
 */
export function pruneBackupFiles(dir: string): FilesPrune {
  const named = new Set<string>();
  for (const db of readdirSync(dir).filter((f) => f.endsWith('.db'))) {
    try {
      for (const c of contentsOf(join(dir, db))) named.add(c.sha);
    } catch (err) {
      return { skipped: `${db} cannot be read (${(err as Error).message})` };
    }
  }
  const root = filesDir(dir);
  const result = { removed: 0, bytes: 0 };
  let buckets: string[];
  try {
    buckets = readdirSync(root).filter((b) => /^[0-9a-f]{2}$/.test(b));
  } catch {
    return result; // no files/ yet
  }
  for (const bucket of buckets) {
    for (const name of readdirSync(join(root, bucket))) {
      const m = CONTENT.exec(name);
      if (m === null || named.has(m[1] ?? '')) continue;
      const path = join(root, bucket, name);
      result.bytes += statSync(path).size;
      rmSync(path, { force: true });
      result.removed++;
    }
  }
  return result;
}
