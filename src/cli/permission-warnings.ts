import { statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data folder holds private conversations and password hashes: it should
 * be 0700 and its database files 0600. Roost creates them so; these warnings
 * catch a folder copied, restored or chmod-ed wider by hand. Files that do not
 * exist yet are not warned about.
 */
const CHECKS: ReadonlyArray<{ name: string; kind: 'folder' | 'file'; max: number }> = [
  { name: '', kind: 'folder', max: 0o700 },
  { name: 'roost.db', kind: 'file', max: 0o600 },
  { name: 'roost.db-wal', kind: 'file', max: 0o600 },
  { name: 'roost.db-shm', kind: 'file', max: 0o600 },
  { name: 'files', kind: 'folder', max: 0o700 },
  { name: 'tls', kind: 'folder', max: 0o700 },
];

const octal = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** One line per path whose mode lets group or others in. */
export function permissionWarnings(dataDir: string): string[] {
  const warnings: string[] = [];
  for (const c of CHECKS) {
    const path = c.name === '' ? dataDir : join(dataDir, c.name);
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch {
      continue;
    }
    if ((mode & 0o077 & ~c.max) !== 0) {
      warnings.push(`${c.kind} ${path} has mode ${octal(mode)}, wider than ${octal(c.max)}: other users of this machine may read it; run: chmod ${octal(c.max).slice(1)} ${path}`);
    }
  }
  return warnings;
}

/** Prints the warnings on stderr (the CLI's own channel); returns them for logging. */
export function warnAboutPermissions(dataDir: string): string[] {
  const warnings = permissionWarnings(dataDir);
  for (const w of warnings) process.stderr.write(`roost: warning: ${w}\n`);
  return warnings;
}
