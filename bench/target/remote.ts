/**
 * A running Roost (--url). Bench users and rooms are created through the
 * store's admin functions on its data folder (--data, on this machine, as the
 * CLI does while a server runs), logged in over HTTP, and retired afterwards.
 */
import { openWritable } from '../../src/store/db/database.js';
import { connSpecs, retireBenchUsers, runPrefix, seedUsersAndRooms, type Seeded } from './seed.js';
import { serverFdCap } from './scratch.js';
import type { Target } from './target.js';

export interface RemoteOptions {
  url: string;
  dataDir: string;
  adminToken?: string;
  pid?: number;
  connections: number;
  roomSize: number;
}

/** The membership change reaches the server through its events feed (followed every 500 ms). */
const FOLLOW_MS = 1500;
const LOGIN_CONCURRENCY = 4;

async function login(base: string, user: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/login`, {
    method: 'POST', body: JSON.stringify({ username: user, password }), signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 200) throw new Error(`login of bench user ${user} failed: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export async function remoteRoost(o: RemoteOptions): Promise<Target> {
  const base = o.url.replace(/\/+$/, '');
  const wsUrl = `${base.replace(/^http/, 'ws')}/ws`;
  const db = openWritable(o.dataDir);
  let seeded: Seeded;
  try {
    seeded = await seedUsersAndRooms(db, { prefix: runPrefix(), connections: o.connections, roomSize: o.roomSize });
  } finally {
    db.close();
  }
  const retire = (): void => {
    const d = openWritable(o.dataDir);
    try {
      retireBenchUsers(d, seeded);
    } finally {
      d.close();
    }
  };
  try {
    await new Promise((r) => setTimeout(r, FOLLOW_MS));
    const tokens: string[] = new Array<string>(seeded.users.length);
    let next = 0;
    await Promise.all(Array.from({ length: LOGIN_CONCURRENCY }, async () => {
      while (next < seeded.users.length) {
        const i = next++;
        tokens[i] = await login(base, seeded.users[i] ?? '', seeded.password);
      }
    }));
    let closed = false;
    return {
      name: `roost ${base}`,
      wsUrl,
      httpBase: base,
      pid: o.pid ?? null,
      ...(o.adminToken === undefined ? {} : { adminToken: o.adminToken }),
      conns: connSpecs(seeded, tokens),
      logins: { users: seeded.users, password: seeded.password },
      roomSize: o.roomSize,
      serverFdCap: o.pid === undefined ? null : serverFdCap(o.pid),
      storedMessages: () => null,
      close: async () => {
        if (closed) return;
        closed = true;
        retire();
      },
    };
  } catch (err) {
    retire();
    throw err;
  }
}
