import { chmodSync, copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { blobPath, filesDir, thumbPath } from '../files/blob-store.js';
import { syncFile } from './sync-file.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from './private-files.js';

export interface FilesCopy {
  /** The `files/` folder written to. */
  dir: string;
  /** Contents the database's rows name. */
  named: number;
  copied: number; bytes: number; missing: number;
}

/** Where a backup's file contents live: a `files/` folder beside it, shared by every backup there. */
export const backupFilesDir = (backupFile: string): string => dirname(backupFile);

/** The contents (sha256 hex, has a thumbnail) a database's file rows name; none before schema 4. */
export function contentsOf(dbFile: string): Array<{ sha: string; thumb: boolean }> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const hasFiles = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'files'").get() !== undefined;
    if (!hasFiles) return [];
    return (db.prepare('SELECT sha256, max(thumb) AS thumb FROM files GROUP BY sha256').all() as Array<{ sha256: Buffer; thumb: number }>)
      .map((r) => ({ sha: r.sha256.toString('hex'), thumb: r.thumb !== 0 }));
  } finally {
    db.close();
  }
}

/** Copies what `to` lacks, through a partial name, synced: content-addressed, so existing copies are skipped. */
function copyContents(list: Array<{ sha: string; thumb: boolean }>, fromDir: string, toDir: string): FilesCopy {
  const result: FilesCopy = { dir: filesDir(toDir), named: list.length, copied: 0, bytes: 0, missing: 0 };
  for (const { sha, thumb } of list) {
    const pairs: Array<[string, string, boolean]> = [[blobPath(fromDir, sha), blobPath(toDir, sha), true]];
    if (thumb) pairs.push([thumbPath(fromDir, sha), thumbPath(toDir, sha), false]);
    for (const [from, to, required] of pairs) {
      if (existsSync(to)) continue;
      if (!existsSync(from)) {
        if (required) result.missing++;
        continue;
      }
      makePrivateDir(dirname(to));
      const partial = `${to}.partial`;
      try {
        copyFileSync(from, partial);
        // copyFile keeps the source's mode; a copy is owner-only whatever the source was.
        chmodSync(partial, PRIVATE_FILE_MODE);
        syncFile(partial);
        renameSync(partial, to);
      } catch (err) {
        rmSync(partial, { force: true });
        throw err;
      }
      result.copied++;
      result.bytes += statSync(to).size;
    }
  }
  return result;
}

/**
 * After `roost backup` wrote FILE: the uploads FILE's rows name are copied
 * to `files/` beside it (incremental: each content is copied once for all
 * backups in that folder).
 */
export function backupFiles(backupFile: string, dataDir: string): FilesCopy {
  return copyContents(contentsOf(backupFile), dataDir, backupFilesDir(backupFile));
}

/** During `roost restore FILE`: brings back the uploads the restored rows name from `files/` beside FILE. */
export function restoreFiles(backupFile: string, dataDir: string): FilesCopy {
  return copyContents(contentsOf(backupFile), backupFilesDir(backupFile), dataDir);
}
