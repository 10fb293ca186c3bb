import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import type { CommandRunner } from '../steps.js';

export type Status = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  title: string;
  status: Status;
  /** What was found, in a line. */
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

/** The assistant's stored setting, as the doctor reads it. */
export interface DoctorAssistant { enabled: boolean; url: string; model: string; allowRemote: boolean }

export interface FsStats { bsize: number; blocks: number; bavail: number; files: number; ffree: number }

/**
 * Everything the doctor looks at. /proc, /sys and /run are read under `root`
 * so tests point it at a fixture tree; facts about this process (Node, glibc,
 * native modules) and the network are passed in so tests can describe
 * another machine.
 */
export interface DoctorInputs {
  root: string;
  config: Config;
  /** The data folder as this machine's mount table knows it (absolute, symlinks resolved). */
  dataDir: string;
  /** The configured data folder's database file, and whether it is there (the doctor never creates it). */
  database: { file: string; found: boolean; matrixServerName?: string; assistant?: DoctorAssistant };
  /** What the Matrix door takes as server_name when none is configured. */
  hostname: string;
  arch: string;
  nodeVersion: string;
  abi: string;
  glibc: string | undefined;
  cpuCount: number;
  statfs: (path: string) => FsStats | undefined;
  loadUws: () => void;
  /** Makes a thumbnail of a tiny image with the image library; rejects with why it cannot. */
  thumbnails: () => Promise<void>;
  sqlite: () => { version: string; fts5: boolean };
  run: CommandRunner;
  /** Non-loopback IPv4 addresses of this machine. */
  lanAddresses: () => string[];
  /** Resolves true when a TCP connection to address:port is accepted. */
  probePort: (address: string, port: number) => Promise<boolean>;
}

/** Reads a text file under the inputs' root; undefined if it is absent or unreadable. */
export function readUnder(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

/** The target of a sysfs link under root, as a path; undefined if absent. */
export function realpathUnder(root: string, path: string): string | undefined {
  try {
    return realpathSync(join(root, path));
  } catch {
    return undefined;
  }
}

export const ok = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: 'ok', detail });
export const warn = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'warn', detail, fix });
export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'fail', detail, fix });

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function bytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(0)} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}

/** The first `Key : value` line of /proc/cpuinfo-style text. */
export function field(text: string | undefined, key: string): string | undefined {
  const re = new RegExp(`^${key}\\s*:\\s*(.*)$`, 'mi');
  return text?.match(re)?.[1]?.trim();
}
