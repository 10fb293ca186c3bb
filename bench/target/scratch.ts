/** The default target: `roost serve` on a scratch data folder, seeded with bench users and rooms. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReadOnly, openWritable } from '../../src/store/db/database.js';
import { IS_ENTRY_SQL } from '../../src/store/write/room-timeline.js';
import { fdLimitOf, openFds } from '../lib/fd-limit.js';
import { connSpecs, mintTokens, runPrefix, seedUsersAndRooms } from './seed.js';
import { requestGc, startRoost, type ServerProcess } from './server-process.js';
import type { Target } from './target.js';

/** Descriptors kept free in the server for its database, listeners and HTTP requests. */
export const SERVER_FD_MARGIN = 64;

export interface ScratchOptions {
  connections: number;
  roomSize: number;
  /** Node flags for the server process, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Settings added to the scratch config file. */
  config?: Record<string, unknown>;
  /** Where the scratch folder is made (default: the system temp folder). */
  parentDir?: string;
}

export function serverFdCap(pid: number): number | null {
  const limit = fdLimitOf(pid);
  const used = openFds(pid);
  if (limit === null || used === null) return null;
  return Math.max(0, limit.hard - used - SERVER_FD_MARGIN);
}

/**
 * What every target the bench started on this box has: addresses, /proc access, GC on
 * request, and a close() that stops the server once and then removes its folder.
 */
export function localTarget(server: ServerProcess, remove: () => void): Pick<Target, 'wsUrl' | 'httpBase' | 'pid' | 'serverFdCap' | 'collectGarbage' | 'close'> {
  let closed = false;
  return {
    wsUrl: `ws://127.0.0.1:${server.port}/ws`,
    httpBase: `http://127.0.0.1:${server.port}`,
    pid: server.pid,
    serverFdCap: serverFdCap(server.pid),
    collectGarbage: () => requestGc(server.pid),
    close: async () => {
      if (closed) return;
      closed = true;
      await server.stop();
      remove();
    },
  };
}

export async function scratchRoost(o: ScratchOptions): Promise<Target> {
  const dir = mkdtempSync(join(o.parentDir ?? tmpdir(), 'roost-bench-scratch-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    // NORMAL only for seeding: the server itself opens the folder with its configured FULL.
    const db = openWritable(dir, 'NORMAL');
    let specs;
    let logins;
    try {
      const seeded = await seedUsersAndRooms(db, { prefix: runPrefix(), connections: o.connections, roomSize: o.roomSize });
      specs = connSpecs(seeded, mintTokens(db, seeded.users));
      logins = { users: seeded.users, password: seeded.password };
    } finally {
      db.close();
    }
    const server = await startRoost(dir, o.nodeArgs ?? [], o.config ?? {});
    return {
      ...localTarget(server, remove),
      name: 'roost (scratch)',
      conns: specs,
      logins,
      roomSize: o.roomSize,
      storedMessages: () => {
        const ro = openReadOnly(dir);
        try {
          // Room changes ("alice joined") are timeline rows too; only messages count here.
          return (ro.prepare(`SELECT count(*) AS n FROM messages m WHERE NOT ${IS_ENTRY_SQL}`).get() as { n: number }).n;
        } finally {
          ro.close();
        }
      },
    };
  } catch (err) {
    remove();
    throw err;
  }
}
