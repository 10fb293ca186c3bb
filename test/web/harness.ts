/**
 * What the browser tests share: a Roost server run as a child process
 * (`node bin/roost.js serve`, the built CLI, so it can be killed and started
 * again on the same port and data folder), users and rooms made through the
 * store before it starts, and Debian's Chromium driven by playwright-core.
 * Every wait is bounded.
 */
import { freePort } from '../helpers/free-port.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword } from '../../src/auth/password.js';
import { addUser, createRoom, directRoom, type Role } from '../../src/store/admin/admin.js';
import { openWritable, type Db } from '../../src/store/db/database.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];
const ROOT = new URL('../../', import.meta.url).pathname;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on loopback, so the server can be restarted on the same one. */
export { freePort };

export interface Person { name: string; password: string; role: Role; id: string }

export function passwordOf(name: string): string {
  return `pw-${name}-long-secret`;
}

export class RoostProcess {
  private child: ChildProcess | null = null;
  readonly http: string;
  stderr = '';

  /** `serveArgs`: more `roost serve` flags, e.g. `--frames-per-second 30`. */
  constructor(readonly dataDir: string, readonly port: number, private readonly serveArgs: readonly string[] = []) {
    this.http = `http://127.0.0.1:${port}`;
  }

  /** Starts `roost serve` and resolves once it prints that it listens (at most 20 s). */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(ROOT, 'bin/roost.js'), 'serve', '--data', this.dataDir, '--host', '127.0.0.1', '--port', String(this.port), '--log-level', 'warn', ...this.serveArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ROOST_LOG_LEVEL: 'warn' },
    });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => { this.stderr = (this.stderr + String(d)).slice(-4000); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`roost did not start within 20 s: ${this.stderr}`)), 20_000);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += String(d);
        if (out.includes('roost listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`roost exited with ${code} before listening: ${this.stderr}`));
      });
    });
  }

  /** Ends the server: SIGKILL is a crash (nothing acked may be lost), SIGTERM a clean stop. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // The bound only catches a server that hangs; cleared once it exits, so it never holds the test process open.
      timer = setTimeout(resolve, 12_000);
    });
    child.kill(signal);
    await exited;
    clearTimeout(timer);
  }
}

export interface World {
  server: RoostProcess;
  people: Record<string, Person>;
  rooms: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A data folder with people and rooms, and a server on it. `rooms` maps a
 * group name to its members; `dms` lists pairs for direct rooms (keyed "a&b").
 */
export async function startWorld(opts: {
  people: Array<{ name: string; role?: Role }>;
  rooms: Record<string, string[]>;
  dms?: Array<[string, string]>;
  serveArgs?: readonly string[];
}): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roost-web-'));
  const db: Db = openWritable(dataDir);
  const people: Record<string, Person> = {};
  const rooms: Record<string, string> = {};
  try {
    for (const p of opts.people) {
      const password = passwordOf(p.name);
      const row = addUser(db, p.name, p.role ?? 'member', await hashPassword(password));
      people[p.name] = { name: p.name, password, role: row.role, id: String(row.id) };
    }
    for (const [name, members] of Object.entries(opts.rooms)) rooms[name] = String(createRoom(db, name, members, undefined, { entries: false }).id);
    for (const [a, b] of opts.dms ?? []) rooms[`${a}&${b}`] = String(directRoom(db, a, b, undefined, { entries: false }).room.id);
  } finally {
    db.close();
  }
  const server = new RoostProcess(dataDir, await freePort(), opts.serveArgs);
  await server.start();
  return {
    server, people, rooms,
    async close() {
      await server.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function tokenFor(http: string, p: Person): Promise<string> {
  const res = await fetch(`${http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: p.name, password: p.password }) });
  if (res.status !== 200) throw new Error(`login ${p.name}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** Posts messages over HTTP, a few at a time (each answer waits for its commit). */
export async function postMessages(http: string, token: string, room: string, bodies: readonly string[], concurrency = 16): Promise<void> {
  let next = 0;
  const tag = Math.random().toString(36).slice(2, 8);
  const worker = async (): Promise<void> => {
    for (let i = next++; i < bodies.length; i = next++) {
      const res = await fetch(`${http}/api/v1/rooms/${room}/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify({ body: bodies[i], clientMsgId: `seed-${tag}-${i}` }),
      });
      if (res.status !== 201) throw new Error(`post ${i}: ${res.status} ${await res.text()}`);
    }
  };
  // Sequential order matters for seq: one worker when order must be kept.
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
}

export function launchBrowser(): Promise<Browser> {
  // playwright-core gives every launch a fresh, temporary profile (user-data dir).
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface ViewOptions { width?: number; height?: number; dark?: boolean; locale?: string }

export async function newPage(browser: Browser, v: ViewOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: v.width ?? 1200, height: v.height ?? 800 },
    colorScheme: v.dark ? 'dark' : 'light',
    locale: v.locale ?? 'en-US',
    timezoneId: 'Europe/Berlin',
    deviceScaleFactor: 1,
  });
  // Waits end as soon as the page shows what is awaited; the bound only matters when it never does.
  // Two browsers and a server on a loaded two-core box took over 10 s to show a new direct room.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the form, the way a person does. */
export async function signIn(page: Page, http: string, p: Person): Promise<void> {
  await page.goto(`${http}/`);
  await page.getByLabel(/User name|用户名/).fill(p.name);
  await page.getByLabel(/^Password$|^密码$/).fill(p.password);
  await page.getByLabel(/^Password$|^密码$/).press('Enter');
  await page.locator('.conn[data-state="online"]').waitFor();
}
