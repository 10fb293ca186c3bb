import { randomBytes } from 'node:crypto';
import { openSync, readFileSync, writeSync, closeSync, fsyncSync, renameSync } from 'node:fs';
import { join } from 'node:path';

const KEY_BYTES = 32;

export const fileLinkKeyPath = (dataDir: string): string => join(dataDir, 'file-links.key');

/**
 * The server's secret for file links: 32 random bytes kept in the data folder
 * (0600), so links stay good across a restart. A missing or unreadable key is
 * replaced by a new one: that only ends the links already issued (they are
 * minutes-long anyway), never an account.
 */
export function loadFileLinkKey(dataDir: string): Buffer {
  const path = fileLinkKeyPath(dataDir);
  try {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    if (key.length === KEY_BYTES) return key;
  } catch {
    // Absent on first start: created below.
  }
  const key = randomBytes(KEY_BYTES);
  // Written aside and renamed, so a crash never leaves a half-written key.
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return key;
}
