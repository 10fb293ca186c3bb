/** What the figures were measured on: they mean little without it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import Database from 'better-sqlite3';
import { emulator } from './emulator.js';

export interface MachineInfo {
  host: string;
  cpuModel: string;
  cores: number;
  ramBytes: number;
  arch: string;
  kernel: string;
  node: string;
  sqlite: string;
  storage: string;
  /** Raspberry Pi model when run on one (from the device tree), else null. */
  piModel: string | null;
  loadAverage: [number, number, number];
  /**
   * The emulator and node the server ran under (ROOST_BENCH_EMULATOR), else null:
   * its memory is the guest's own and carries over to a Pi; its timings do not.
   */
  emulatedServer: string | null;
}

const tryRead = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8').replace(/\0/g, '').trim();
  } catch {
    return null;
  }
};

/** The block device under a folder and, where the kernel says, its model and whether it spins. */
export function storageOf(dir: string): string {
  try {
    const source = execFileSync('findmnt', ['-n', '-o', 'SOURCE,FSTYPE', '-T', dir], { encoding: 'utf8', timeout: 3000 }).trim();
    const dev = /\/dev\/([a-z]+)/.exec(source)?.[1];
    if (dev === undefined) return source;
    const base = dev.replace(/p?\d+$/, '');
    const model = tryRead(`/sys/block/${base}/device/model`) ?? tryRead(`/sys/block/${base}/device/name`);
    const rotational = tryRead(`/sys/block/${base}/queue/rotational`);
    return [source, model, rotational === '1' ? 'rotational' : rotational === '0' ? 'non-rotational' : null].filter(Boolean).join(', ');
  } catch {
    return 'unknown';
  }
}

export function piModel(): string | null {
  const model = tryRead('/proc/device-tree/model');
  return model !== null && /raspberry pi/i.test(model) ? model : null;
}

export function machineInfo(dataDir: string): MachineInfo {
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  const load = os.loadavg();
  return {
    host: os.hostname(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    ramBytes: os.totalmem(),
    arch: process.arch,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    sqlite,
    storage: storageOf(dataDir),
    piModel: piModel(),
    loadAverage: [load[0] ?? 0, load[1] ?? 0, load[2] ?? 0],
    emulatedServer: emulator()?.node.join(' ') ?? null,
  };
}
