/**
 * A reconnect storm: every client of a seeded server sends `sync` for all its
 * rooms from old cursors at the same moment, then follows `more` until it
 * has everything. Reports the server's event-loop lag (p99 and max, read from
 * /metrics) and how long until every client was answered. The server runs as
 * its own process, so the clients' work is not in its loop.
 *
 *   node dist/bench/sync-storm.js [--clients 1000] [--rooms 100] [--rooms-per-client 50]
 *     [--messages-per-room 40] [--limit 100] [--sync-total 1000] [--timeout-s 180] [--out FILE.json]
 *
 * `--sync-total` is the server's maxSyncTotal; its largest value (100000)
 * lets one reply carry everything, as before the cap existed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { hashPassword } from '../src/auth/password.js';
import { addUser, createRoom } from '../src/store/admin/admin.js';
import { BatchApplier } from '../src/store/write/batch-applier.js';
import { openWritable } from '../src/store/db/database.js';
import type { WriteOp } from '../src/store/write/write-ops.js';
import { sourceAddresses } from './lib/addresses.js';
import { scrapeMetrics, type ServerGauges } from './lib/metrics-scrape.js';
import { mintTokens } from './target/seed.js';
import { startRoost } from './target/server-process.js';

const { values: a } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rooms: { type: 'string', default: '100' },
    'rooms-per-client': { type: 'string', default: '50' },
    'messages-per-room': { type: 'string', default: '40' },
    limit: { type: 'string', default: '100' },
    'sync-total': { type: 'string', default: '1000' },
    'timeout-s': { type: 'string', default: '180' },
    out: { type: 'string' },
  },
});
const CLIENTS = Number(a.clients);
const ROOMS = Number(a.rooms);
const PER_CLIENT = Math.min(ROOMS, Number(a['rooms-per-client']));
const PER_ROOM = Number(a['messages-per-room']);
const LIMIT = Number(a.limit);
const SYNC_TOTAL = Number(a['sync-total']);
const TIMEOUT_MS = Number(a['timeout-s']) * 1000;
/** Replies one client follows at most: everything it is owed at one message per reply, plus one. */
const MAX_ROUNDS = PER_CLIENT * PER_ROOM + 1;

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Client i's rooms: PER_CLIENT consecutive ones (mod ROOMS) starting at its own offset. */
const roomsOf = (i: number): number[] => Array.from({ length: PER_CLIENT }, (_, k) => (i + k) % ROOMS);

async function seed(dir: string): Promise<{ tokens: string[]; roomIds: number[] }> {
  const db = openWritable(dir, 'NORMAL');
  try {
    const hash = await hashPassword('sync-storm-password');
    const users = Array.from({ length: CLIENTS }, (_, i) => `storm-u${i}`);
    const members: string[][] = Array.from({ length: ROOMS }, () => []);
    for (let i = 0; i < CLIENTS; i++) for (const r of roomsOf(i)) members[r]?.push(users[i] ?? '');
    const roomIds: number[] = [];
    const userIds: number[] = [];
    db.transaction(() => {
      for (const u of users) userIds.push(addUser(db, u, 'member', hash).id);
      // No timeline entries: a room of 500 would open with 500 "joined" rows, and the storm is about its messages.
      for (let r = 0; r < ROOMS; r++) roomIds.push(createRoom(db, `storm-r${r}`, members[r] ?? [], undefined, { entries: false }).id);
    }).immediate();
    const idOf = new Map(users.map((u, i) => [u, userIds[i] ?? 0]));
    const ops: WriteOp[] = [];
    for (let r = 0; r < ROOMS; r++) {
      const inRoom = members[r] ?? [];
      if (inRoom.length === 0) continue;
      for (let m = 0; m < PER_ROOM; m++) {
        const sender = idOf.get(inRoom[m % inRoom.length] ?? '') ?? 0;
        ops.push({ k: 'send', room: roomIds[r] ?? 0, user: sender, clientMsgId: `storm-${r}-${m}`, body: `history line ${m} of room ${r}, long enough to look like chat` });
      }
    }
    const applier = new BatchApplier(db);
    for (let i = 0; i < ops.length; i += 2000) applier.apply(ops.slice(i, i + 2000), Date.now());
    return { tokens: mintTokens(db, users), roomIds };
  } finally {
    db.close();
  }
}

interface ClientRun { firstReplyMs: number; doneMs: number; messages: number; replies: number; failed: string }

function connect(url: string, token: string, localAddress: string | undefined): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, ...(localAddress === undefined ? {} : { localAddress }) });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), 30_000);
    ws.once('open', () => { clearTimeout(timer); resolve(ws); });
    ws.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

interface SyncedRoom { room: string; messages: Array<{ seq: number }>; more: boolean }

/** Sends the first sync now; follows `more` until the client has every room's messages. */
function storm(ws: WebSocket, rooms: readonly number[], t0: number): Promise<ClientRun> {
  const run: ClientRun = { firstReplyMs: -1, doneMs: -1, messages: 0, replies: 0, failed: '' };
  return new Promise((resolve) => {
    const finish = (failed = ''): void => {
      run.failed = failed;
      ws.removeAllListeners('message');
      resolve(run);
    };
    const ask = (since: Record<string, number>): void => ws.send(JSON.stringify({ type: 'sync', id: `s${run.replies}`, since, limit: LIMIT }));
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string; rooms?: SyncedRoom[]; code?: string };
      if (f.type !== 'synced') return f.type === 'error' ? finish(`error ${f.code ?? ''}`) : undefined;
      const now = performance.now() - t0;
      if (run.replies === 0) run.firstReplyMs = now;
      run.replies++;
      const next: Record<string, number> = {};
      for (const r of f.rooms ?? []) {
        run.messages += r.messages.length;
        if (r.more) next[r.room] = r.messages[r.messages.length - 1]?.seq ?? 0;
      }
      // A room that said more with no messages was not read: ask from its old cursor (0 here).
      if (Object.keys(next).length === 0) {
        run.doneMs = now;
        return finish();
      }
      if (run.replies >= MAX_ROUNDS) return finish('too many rounds');
      ask(next);
    });
    ws.once('close', (code) => finish(run.doneMs < 0 ? `closed ${code}` : ''));
    ask(Object.fromEntries(rooms.map((r) => [String(r), 0])));
  });
}

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? -1);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'roost-sync-storm-'));
  const sockets: WebSocket[] = [];
  let stop = async (): Promise<void> => undefined;
  try {
    say(`seeding ${CLIENTS} users, ${ROOMS} rooms × ${PER_ROOM} messages, ${PER_CLIENT} rooms each   [load ${load()}]`);
    const { tokens, roomIds } = await seed(dir);
    const server = await startRoost(dir, [], { maxSyncTotal: SYNC_TOTAL, logLevel: 'warn' });
    stop = () => server.stop();
    const http = `http://127.0.0.1:${server.port}`;
    const addrs = sourceAddresses('127.0.0.1');
    for (let i = 0; i < CLIENTS; i += 100) {
      const batch = tokens.slice(i, i + 100).map((tok, k) => connect(`ws://127.0.0.1:${server.port}/ws`, tok, addrs[(i + k) % addrs.length]));
      sockets.push(...(await Promise.all(batch)));
    }
    say(`${sockets.length} sockets open   [load ${load()}]`);
    // Let the connect burst's lag samples age: the gauge keeps the last ~minute, so report the idle reading too.
    await sleep(1000);
    const before = await scrapeMetrics(http);
    const t0 = performance.now();
    const runs = sockets.map((ws, i) => storm(ws, roomsOf(i).map((r) => roomIds[r] ?? 0), t0));
    const timeout = sleep(TIMEOUT_MS).then(() => 'timeout' as const);
    const all = Promise.all(runs);
    const outcome = await Promise.race([all, timeout]);
    const wallMs = performance.now() - t0;
    const after: ServerGauges | null = await scrapeMetrics(http);
    const done = outcome === 'timeout' ? [] : outcome;
    const owed = PER_CLIENT * PER_ROOM;
    const result = {
      started: new Date().toISOString(),
      load: load(),
      clients: CLIENTS, rooms: ROOMS, roomsPerClient: PER_CLIENT, messagesPerRoom: PER_ROOM, limit: LIMIT, maxSyncTotal: SYNC_TOTAL,
      timedOut: outcome === 'timeout',
      allAnsweredMs: Math.round(wallMs),
      firstReplyMs: { p50: pct(done.map((r) => r.firstReplyMs), 0.5), p99: pct(done.map((r) => r.firstReplyMs), 0.99), max: pct(done.map((r) => r.firstReplyMs), 1) },
      repliesPerClient: { min: Math.min(...done.map((r) => r.replies)), max: Math.max(...done.map((r) => r.replies)) },
      incomplete: done.filter((r) => r.failed !== '' || r.messages !== owed).length,
      failures: [...new Set(done.map((r) => r.failed).filter((f) => f !== ''))],
      serverLoopLagIdleMs: { p99: before?.loopLagP99Ms ?? null, max: before?.loopLagMaxMs ?? null },
      serverLoopLagMs: { p99: after?.loopLagP99Ms ?? null, max: after?.loopLagMaxMs ?? null },
    };
    say(JSON.stringify(result, null, 2));
    if (a.out !== undefined) writeFileSync(a.out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const ws of sockets) ws.terminate();
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
