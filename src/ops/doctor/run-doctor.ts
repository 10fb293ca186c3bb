import { existsSync, statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import { connect } from 'node:net';
import { availableParallelism, hostname, networkInterfaces } from 'node:os';
import Database from 'better-sqlite3';
import type { Config } from '../../config/schema.js';
import { loadSharp } from '../../gateway/image-probe.js';
import { loadUws } from '../../gateway/uws.js';
import { runCommand } from '../steps.js';
import { bitsCheck, clockCheck, cpuCheck, memoryCheck, nofileCheck, sysctlCheck, throttleCheck } from './host-checks.js';
import { glibcCheck, nodeCheck, portCheck, sqliteCheck, thumbnailCheck, uwsCheck } from './runtime-checks.js';
import { databaseCheck, matrixNameCheck, spaceCheck, storageCheck, synchronousCheck } from './storage-checks.js';
import { databasePath } from '../../store/db/database.js';
import type { CheckResult, DoctorAssistant, DoctorInputs } from './types.js';
import { assistantCheck } from './assistant-check.js';

/** Every check, in the order an admin reads them: the machine, the runtime, the disk, the network. */
export async function runDoctor(i: DoctorInputs): Promise<CheckResult[]> {
  const sync = [cpuCheck, bitsCheck, throttleCheck, memoryCheck, clockCheck, glibcCheck, nodeCheck, uwsCheck, sqliteCheck,
    storageCheck, spaceCheck, databaseCheck, matrixNameCheck, synchronousCheck, assistantCheck, nofileCheck, sysctlCheck].map((check) => check(i));
  return [...sync, await thumbnailCheck(i), await portCheck(i)];
}

function glibcRuntime(): string | undefined {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime;
}

function sqliteFacts(): { version: string; fts5: boolean } {
  const db = new Database(':memory:');
  try {
    const version = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    let fts5 = true;
    try {
      db.exec('CREATE VIRTUAL TABLE doctor_probe USING fts5(text)');
    } catch {
      fts5 = false;
    }
    return { version, fts5 };
  } finally {
    db.close();
  }
}

/** Whether the database is there and, read-only (the doctor changes nothing), its Matrix server_name. */
function databaseFacts(file: string): DoctorInputs['database'] {
  if (!existsSync(file)) return { file, found: false };
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT value FROM matrix_settings WHERE key = 'server_name'").get() as { value: string } | undefined;
      const facts = row === undefined ? { file, found: true } : { file, found: true, matrixServerName: row.value };
      return { ...facts, assistant: assistantFacts(db) };
    } finally {
      db.close();
    }
  } catch {
    // An older schema (no Matrix tables yet) or a locked file: the name is simply not known.
    return { file, found: true };
  }
}

function assistantFacts(db: Database.Database): DoctorAssistant | undefined {
  try {
    const row = db.prepare('SELECT enabled, url, model, allow_remote AS allowRemote FROM assistant_settings WHERE id = 1').get() as
      { enabled: number; url: string; model: string; allowRemote: number } | undefined;
    return row === undefined ? undefined : { enabled: row.enabled !== 0, url: row.url, model: row.model, allowRemote: row.allowRemote !== 0 };
  } catch {
    // A schema from before the assistant: it was never enabled.
    return undefined;
  }
}

/** The same steps as an upload's thumbnail (image-probe.ts), on a 2×2 image made in memory. */
async function tinyThumbnail(): Promise<void> {
  const sharp = await loadSharp();
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer();
  await sharp(png).rotate().resize(1, 1, { fit: 'inside' }).webp({ quality: 70 }).toBuffer();
}

function probe(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 1000 });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** The inputs of this machine and this process. */
export function hostInputs(config: Config, dataDir: string): DoctorInputs {
  return {
    root: '/',
    config,
    dataDir,
    database: databaseFacts(resolve(databasePath(config.dataDir))),
    hostname: hostname(),
    arch: process.arch,
    nodeVersion: process.version,
    abi: process.versions.modules,
    glibc: glibcRuntime(),
    cpuCount: availableParallelism(),
    statfs: (path) => {
      try {
        const s = statfsSync(path);
        return { bsize: s.bsize, blocks: s.blocks, bavail: s.bavail, files: s.files, ffree: s.ffree };
      } catch {
        return undefined;
      }
    },
    loadUws: () => void loadUws(),
    thumbnails: tinyThumbnail,
    sqlite: sqliteFacts,
    run: runCommand,
    lanAddresses: () => Object.values(networkInterfaces()).flat()
      .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal).map((a) => a?.address ?? ''),
    probePort: probe,
  };
}
