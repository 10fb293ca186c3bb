import { closeSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** Flushes a file, and the folder entry that names it, to the disk. */
export function syncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const dirFd = openSync(dirname(file), 'r');
  try {
    fsyncSync(dirFd);
  } catch {
    // Some filesystems (network shares) cannot sync a folder; the file itself is synced.
  } finally {
    closeSync(dirFd);
  }
}
