/**
 * A real Roost server on 127.0.0.1 with a fresh temp data folder, plus the
 * admin steps tests need (users with tokens, rooms). Every test that talks to
 * a server over the network starts here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/password.js';
import { configWith, type RawValue } from '../../src/config/load.js';
import type { Config, SettingName } from '../../src/config/schema.js';
import { startServer, type RoostServer, type ServerHooks } from '../../src/gateway/server.js';
import { createLogger } from '../../src/log.js';
import { addMember, addUser, createRoom, directRoom, type Role } from '../../src/store/admin/admin.js';

/** Rooms seeded as before timeline entries existed, so tests count seqs from their own messages. */
const NO_ENTRIES = { entries: false };
import { openReadOnly, openWritable, type Db } from '../../src/store/db/database.js';
import { TestClient } from './client.js';

export interface TestUser { id: string; name: string; password: string; token: string }

export interface TestServer {
  server: RoostServer;
  config: Config;
  dataDir: string;
  port: number;
  http: string;
  ws: string;
  /** Adds a user through the store and logs in over HTTP. */
  user(name: string, role?: Role): Promise<TestUser>;
  /** Creates a group room; resolves once the running server has seen the change. */
  room(name: string, members: string[]): Promise<string>;
  dm(a: string, b: string): Promise<string>;
  addMember(room: string, user: string): Promise<void>;
  /** Opens a WebSocket as the token's user; closed with the server. */
  connect(token: string, headers?: Record<string, string>): Promise<TestClient>;
  /** Runs fn on a separate writable connection, as the CLI would. */
  admin<T>(fn: (db: Db) => T): T;
  /** Resolves once the running server's events follower applied every admin change made so far. */
  followed(): Promise<void>;
  close(): Promise<void>;
}

/** How long the server's events follower may take to apply a CLI change on a loaded machine. */
const FOLLOW_LIMIT_MS = 15_000;
/**
 * The follower's tick in test servers: tests make CLI-style changes by the dozen and wait
 * for each (at 500 ms, a quarter of a second on average); what is applied does not depend on it.
 */
const FOLLOW_EVERY_MS = 20;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `hooks.now`: the clock the server's retention job uses (tests move it forward instead of waiting days); `hooks.sendFault`: see ServerHooks. */
export async function startTestServer(overrides: Partial<Record<SettingName, RawValue>> = {}, hooks: ServerHooks = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roost-test-'));
  // mdns: false on purpose: tests start many servers and must never announce themselves on a LAN
  // (only `roost serve` starts the advertiser today; this keeps it so if that changes).
  const config = configWith({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent', mdns: false, ...overrides });
  const server = await startServer(config, createLogger({ level: config.logLevel, pretty: false }), { followEveryMs: FOLLOW_EVERY_MS, ...hooks });
  const http = `http://127.0.0.1:${server.port}`;
  const admin = <T>(fn: (db: Db) => T): T => {
    const db = openWritable(dataDir);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  const clients: TestClient[] = [];
  // Waits for the follower to reach the newest event instead of sleeping a fixed time: on a
  // loaded CI machine a 500 ms tick can come late.
  const followed = async (): Promise<void> => {
    const db = openReadOnly(dataDir);
    let want: number;
    try {
      want = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
    } finally {
      db.close();
    }
    const until = Date.now() + FOLLOW_LIMIT_MS;
    while (server.appliedEventId() < want) {
      if (Date.now() > until) throw new Error(`the events follower did not reach event ${want} within ${FOLLOW_LIMIT_MS} ms`);
      await sleep(20);
    }
  };
  return {
    server, config, dataDir, port: server.port, http, ws: `ws://127.0.0.1:${server.port}/ws`,
    admin,
    followed,
    async user(name, role = 'member') {
      const password = `pw-${name}-secret`;
      const hash = await hashPassword(password);
      const row = admin((db) => addUser(db, name, role, hash));
      const res = await fetch(`${http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: name, password }) });
      if (res.status !== 200) throw new Error(`login failed for ${name}: ${res.status}`);
      const body = (await res.json()) as { token: string };
      return { id: String(row.id), name, password, token: body.token };
    },
    async room(name, members) {
      const row = admin((db) => createRoom(db, name, members, undefined, NO_ENTRIES));
      await followed();
      return String(row.id);
    },
    async dm(a, b) {
      const { room } = admin((db) => directRoom(db, a, b, undefined, NO_ENTRIES));
      await followed();
      return String(room.id);
    },
    async addMember(room, user) {
      admin((db) => addMember(db, room, user, undefined, NO_ENTRIES));
      await followed();
    },
    async connect(token, headers) {
      const c = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws`, token, headers);
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
