import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Backups hold every message and password hash: what Roost creates for them
 * is owner-only whatever the umask (mkdir and open only ever narrow a mode by
 * it, so a permissive umask is harmless but a strict one is not the point:
 * the mode is set explicitly after creation).
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` and any missing parents as 0700; folders that already existed keep their mode (they are not Roost's). */
export function makePrivateDir(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  const top = resolve(first);
  let p = resolve(dir);
  // Every folder from `dir` up to the first one mkdir created is new.
  for (let depth = 0; depth < 256; depth++) {
    chmodSync(p, PRIVATE_DIR_MODE);
    if (p === top || dirname(p) === p) break;
    p = dirname(p);
  }
}

/** Creates an empty 0600 file; SQLite writing a database into it gives its journal the same mode. */
export function createPrivateFile(file: string): void {
  const fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}
