/**
 * Open-file limits. Node raises its soft RLIMIT_NOFILE to the hard limit at
 * start-up, so what a process can hold is the hard limit in /proc/<pid>/limits;
 * raising the hard limit needs root (CAP_SYS_RESOURCE) or systemd's LimitNOFILE.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface FdLimit { soft: number; hard: number }

/** Parses the "Max open files" row of a /proc/<pid>/limits text. */
export function parseFdLimit(limitsText: string): FdLimit | null {
  const row = limitsText.split('\n').find((l) => l.startsWith('Max open files'));
  if (row === undefined) return null;
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(row);
  if (m === null) return null;
  const n = (s: string | undefined): number => (s === 'unlimited' || s === undefined ? Number.MAX_SAFE_INTEGER : Number(s));
  return { soft: n(m[1]), hard: n(m[2]) };
}

export function fdLimitOf(pid: number | 'self'): FdLimit | null {
  try {
    return parseFdLimit(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  } catch {
    return null;
  }
}

/** Descriptors a process has open now (null when /proc is not readable for it). */
export function openFds(pid: number | 'self'): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** What to tell someone whose limit is too low for what they asked. */
export function fdAdvice(wanted: number, limit: number): string {
  return `open-file limit is ${limit} per process but ${wanted} are needed: raise it with \`ulimit -n ${wanted + 1000}\` ` +
    `(hard limit: /etc/security/limits.conf, or LimitNOFILE=${wanted + 1000} in the systemd unit), and fs.file-max / fs.nr_open if they are lower`;
}
