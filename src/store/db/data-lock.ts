import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RoostError } from '../../protocol/errors.js';
import { ensureDataDir } from './database.js';

/**
 * `roost.pid` in the data folder: written by the server (and by restore while
 * it works) so that a restore never swaps the database under a running
 * server, and two servers never share one folder. A file left by a crashed
 * process is recognised (its pid is gone) and replaced.
 */

export const lockPath = (dataDir: string): string => join(dataDir, 'roost.pid');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the live process holding the data folder, or null. */
export function lockHolder(dataDir: string): { pid: number; what: string } | null {
  let text: string;
  try {
    text = readFileSync(lockPath(dataDir), 'utf8');
  } catch {
    return null;
  }
  const [pidText, what] = text.split('\n');
  const pid = Number(pidText);
  return Number.isSafeInteger(pid) && pid > 0 && alive(pid) ? { pid, what: what ?? 'roost' } : null;
}

/** Takes the data folder for `what` ("server", "restore"); returns the release function. */
export function acquireDataLock(dataDir: string, what: string): () => void {
  ensureDataDir(dataDir);
  const path = lockPath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(dataDir);
      if (holder !== null) {
        throw new RoostError('conflict', `a Roost ${holder.what} (pid ${holder.pid}) is using ${dataDir}; stop it first`);
      }
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n${what}\n`);
    closeSync(fd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      rmSync(path, { force: true });
    };
  }
  throw new RoostError('conflict', `could not take ${path}`);
}
