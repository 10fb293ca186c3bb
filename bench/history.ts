/**
 * Issue 3's figures, on a database of 1,000,000 messages in 100 rooms (half
 * Chinese, half English), generated through the BatchApplier (the writer
 * thread's code) in large batches:
 *   per-message cost of the hash chain and of the search-index text,
 *   durable send rate (synchronous=FULL) with search indexing on and off,
 *   database bytes per message, search p50/p99, history page of 50 p99,
 *   a purge step's length, verify time, export of 1M messages (time, peak RSS),
 *   backup time. The machine is shared: the load average is recorded with each.
 *
 *   node dist/bench/history.js [--messages 1000000] [--rooms 100] [--rate-messages 200000]
 *     [--data DIR (reuse a database built before)] [--keep] [--out FILE.json]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { addUser, createRoom } from '../src/store/admin/admin.js';
import { backupDatabase } from '../src/store/backup/backup.js';
import { BatchApplier } from '../src/store/write/batch-applier.js';
import { GENESIS, messageHash } from '../src/store/history/chain.js';
import { closeWritable, openReadOnly, openWritable, type Db } from '../src/store/db/database.js';
import { Reader } from '../src/store/read/reader.js';
import { SearchService } from '../src/store/search/search.js';
import { indexText } from '../src/store/search/search-text.js';
import { verifyChains } from '../src/store/history/verify.js';
import { Writer } from '../src/store/write/writer.js';
import type { WriteOp } from '../src/store/write/write-ops.js';
import { body, chineseBody, englishBody, QUERIES, rng } from './history/corpus.js';

const { values: a } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    rooms: { type: 'string', default: '100' },
    'rate-messages': { type: 'string', default: '200000' },
    data: { type: 'string' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
    skip: { type: 'string', default: '' },
  },
});
const TOTAL = Number(a.messages);
const ROOMS = Number(a.rooms);
const RATE_N = Number(a['rate-messages']);
const skip = new Set((a.skip ?? '').split(','));
const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));
const USERS = 1000;
const MEMBERS_PER_ROOM = 20;
const DAY = 86_400_000;
/** The server's default purgeBatch: rows removed per write op. */
const PURGE_STEP = 100;

const figures: Record<string, unknown> = { started: new Date().toISOString() };
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const ms = (n: number): number => Math.round(n * 1000) / 1000;

function percentiles(samples: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const s = [...samples].sort((x, y) => x - y);
  const at = (q: number): number => ms(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: ms(s[s.length - 1] ?? 0) };
}

function record(name: string, value: unknown): void {
  figures[name] = value;
  say(`${name}: ${JSON.stringify(value)}   [load ${load()}]`);
}

/** Users u0..u999; room r has 20 members; `searcher` is in 10 rooms, `everywhere` in all. */
function seedPeople(db: Db, rooms: number): { roomIds: number[]; members: number[][]; searcher: number[]; everywhere: number[] } {
  const ids: number[] = [];
  for (let i = 0; i < USERS; i++) ids.push(addUser(db, `u${i}`, 'member', 'x').id);
  addUser(db, 'searcher', 'member', 'x');
  addUser(db, 'everywhere', 'member', 'x');
  const roomIds: number[] = [];
  const members: number[][] = [];
  for (let r = 0; r < rooms; r++) {
    const names = Array.from({ length: MEMBERS_PER_ROOM }, (_, k) => `u${(r * 7 + k * 13) % USERS}`);
    const unique = [...new Set(names)];
    if (r % 10 === 0) unique.push('searcher');
    unique.push('everywhere');
    const row = createRoom(db, `room-${r}`, unique);
    roomIds.push(row.id);
    members.push(unique.filter((n) => n.startsWith('u')).map((n) => ids[Number(n.slice(1))] as number));
  }
  return { roomIds, members, searcher: roomIds.filter((_, r) => r % 10 === 0), everywhere: roomIds };
}

function sendOps(n: number, roomIds: number[], members: number[][], r: () => number, tag: string): WriteOp[] {
  const ops: WriteOp[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const room = Math.floor(r() * roomIds.length);
    const who = members[room] as number[];
    ops[i] = { k: 'send', room: roomIds[room] as number, user: who[Math.floor(r() * who.length)] as number, clientMsgId: `${tag}${i}`, body: body(i, r) };
  }
  return ops;
}

// ---- 1. Per-message cost of the chain hash and of the index text.
if (!skip.has('micro')) {
  const r = rng(7);
  const zh = Array.from({ length: 50_000 }, () => chineseBody(r));
  const en = Array.from({ length: 50_000 }, () => englishBody(r));
  const time = (fn: () => void, n: number): number => {
    const t0 = performance.now();
    fn();
    return ((performance.now() - t0) * 1000) / n;
  };
  let prev = GENESIS;
  const hashUs = time(() => {
    for (let i = 0; i < en.length; i++) prev = messageHash(prev, { id: i, room_id: 1, seq: i, sender_id: 3, client_msg_id: `c${i}`, body: en[i] ?? '', ts: 1_700_000_000_000 });
  }, en.length);
  let sink = 0;
  const zhUs = time(() => { for (const b of zh) sink += indexText(b).length; }, zh.length);
  const enUs = time(() => { for (const b of en) sink += indexText(b).length; }, en.length);
  record('per_message_us', { chainHash: ms(hashUs), indexTextChinese: ms(zhUs), indexTextEnglish: ms(enUs), sink: sink > 0 });
}

// ---- 2. Durable send rate, synchronous=FULL, batches of 2000 (the writer's default), indexing on and off.
async function sendRate(searchIndex: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'roost-bench-rate-'));
  try {
    const db = openWritable(dir, 'FULL');
    const people = seedPeople(db, ROOMS);
    const ops = sendOps(RATE_N, people.roomIds, people.members, rng(11), 'r');
    const applier = new BatchApplier(db, { searchIndex });
    const t0 = performance.now();
    for (let i = 0; i < ops.length; i += 2000) applier.apply(ops.slice(i, i + 2000), Date.now());
    const s = (performance.now() - t0) / 1000;
    closeWritable(db);
    return Math.round(RATE_N / s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function writerRate(): Promise<{ rate: number; batches: number; commitMs: ReturnType<typeof percentiles> }> {
  const dir = mkdtempSync(join(tmpdir(), 'roost-bench-writer-'));
  try {
    const db = openWritable(dir, 'FULL');
    const people = seedPeople(db, ROOMS);
    db.close();
    const ops = sendOps(RATE_N, people.roomIds, people.members, rng(13), 'w');
    const commits: number[] = [];
    const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: RATE_N + 1, batchMax: 2000, onBatch: (_n, c) => commits.push(c) });
    const t0 = performance.now();
    let done = 0;
    await new Promise<void>((resolve) => {
      for (const op of ops) writer.submit(op, () => { if (++done === ops.length) resolve(); });
    });
    const s = (performance.now() - t0) / 1000;
    await writer.close();
    return { rate: Math.round(RATE_N / s), batches: commits.length, commitMs: percentiles(commits) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!skip.has('rate')) {
  record('send_rate_indexing_off_msg_s', await sendRate(false));
  record('send_rate_indexing_on_msg_s', await sendRate(true));
  record('send_rate_through_writer_thread_indexing_on', await writerRate());
}

// ---- 3. The 1M-message database.
const dataDir = a.data ?? mkdtempSync(join(tmpdir(), 'roost-bench-history-'));
const dbFile = join(dataDir, 'roost.db');
let searcherRooms: number[];
let everywhereRooms: number[];
if (!existsSync(dbFile)) {
  const db = openWritable(dataDir, 'NORMAL');
  const people = seedPeople(db, ROOMS);
  const applier = new BatchApplier(db);
  const r = rng(42);
  const BATCH = 20_000;
  const start = Date.now() - 365 * DAY;
  const t0 = performance.now();
  for (let i = 0; i < TOTAL; i += BATCH) {
    const n = Math.min(BATCH, TOTAL - i);
    const ops = sendOps(n, people.roomIds, people.members, r, `b${i}-`);
    applier.apply(ops, start + Math.floor((i / TOTAL) * 365 * DAY));
    if ((i / BATCH) % 10 === 0) process.stdout.write(`\r  built ${i + n} messages`);
  }
  process.stdout.write('\n');
  record('build_1M_seconds', ms((performance.now() - t0) / 1000));
  closeWritable(db);
}
{
  const db = openReadOnly(dataDir);
  const ids = (name: string): number[] => (db.prepare(`SELECT m.room_id AS id FROM members m JOIN users u ON u.id = m.user_id WHERE u.name = ? ORDER BY 1`).all(name) as Array<{ id: number }>).map((x) => x.id);
  searcherRooms = ids('searcher');
  everywhereRooms = ids('everywhere');
  const count = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  const bytes = statSync(dbFile).size;
  let breakdown: Record<string, number> = {};
  try {
    const rows = db.prepare(`SELECT CASE WHEN name LIKE 'messages_fts%' THEN 'search index' WHEN name = 'messages' THEN 'messages'
      WHEN name LIKE 'messages_by%' OR name LIKE 'sqlite_autoindex_messages%' THEN 'message indexes' ELSE 'other' END AS part, sum(pgsize) AS bytes
      FROM dbstat GROUP BY part`).all() as Array<{ part: string; bytes: number }>;
    breakdown = Object.fromEntries(rows.map((x) => [x.part, Math.round(x.bytes / count)]));
  } catch {
    breakdown = { unavailable: 0 };
  }
  record('database', { messages: count, bytes, bytesPerMessage: Math.round(bytes / count), bytesPerMessageByPart: breakdown });
  db.close();
}

// ---- 4. History page of 50, on the event loop's kind of connection.
if (!skip.has('history')) {
  const db = openReadOnly(dataDir);
  const reader = new Reader(db);
  const last = db.prepare('SELECT id, last_seq FROM rooms').all() as Array<{ id: number; last_seq: number }>;
  const r = rng(5);
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const room = last[Math.floor(r() * last.length)] as { id: number; last_seq: number };
    const before = i % 4 === 0 ? undefined : 51 + Math.floor(r() * room.last_seq);
    const t0 = performance.now();
    reader.history(room.id, before, 50);
    samples.push(performance.now() - t0);
  }
  record('history_page_50_ms', percentiles(samples.slice(1000)));
  db.close();
}

// ---- 5. Search, end to end through the search thread, for a user in 10 rooms and one in all 100.
if (!skip.has('search')) {
  const search = new SearchService(dataDir);
  const all: number[] = [];
  const byKind: Record<string, ReturnType<typeof percentiles>> = {};
  let hitsSeen = 0;
  for (const [kind, list] of Object.entries(QUERIES)) {
    const samples: number[] = [];
    for (const rooms of [searcherRooms, everywhereRooms]) {
      for (let rep = 0; rep < 8; rep++) {
        for (const query of list) {
          const t0 = performance.now();
          const hits = await search.search({ user: 0, query, limit: 20 }, rooms);
          samples.push(performance.now() - t0);
          hitsSeen += hits.length;
        }
      }
    }
    byKind[kind] = percentiles(samples);
    all.push(...samples);
  }
  await search.close();
  record('search_ms', { all: percentiles(all), byKind, hitsSeen });
}

// ---- 6. Retention: how long one purge step (500 rows, with their index entries) holds the writer.
if (!skip.has('purge')) {
  const copyDir = mkdtempSync(join(tmpdir(), 'roost-bench-purge-'));
  try {
    await backupDatabase(dataDir, join(copyDir, 'roost.db'));
    // NORMAL: no fsync at commit, so this is the step's own time; the batch it rides in pays its fsync anyway.
    const db = openWritable(copyDir, 'NORMAL');
    const applier = new BatchApplier(db);
    const samples: number[] = [];
    for (let i = 0; i < 40; i++) {
      const room = everywhereRooms[i % everywhereRooms.length] as number;
      const t0 = performance.now();
      applier.apply([{ k: 'purge', room, before: Date.now(), max: PURGE_STEP }], Date.now());
      samples.push(performance.now() - t0);
    }
    record(`purge_step_${PURGE_STEP}_ms_without_fsync`, percentiles(samples));
    const v0 = performance.now();
    const report = verifyChains(db);
    record('verify_1M_seconds', { seconds: ms((performance.now() - v0) / 1000), ok: report.ok });
    closeWritable(db);
  } finally {
    rmSync(copyDir, { recursive: true, force: true });
  }
}

// ---- 7. Export of 1M messages from one room, by the real CLI in a child process (peak RSS from /proc).
async function exportMillion(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'roost-bench-export-'));
  try {
    const db = openWritable(dir, 'NORMAL');
    addUser(db, 'archivist', 'member', 'x');
    const room = createRoom(db, 'everything', ['archivist']).id;
    db.exec(`ATTACH '${dbFile.replace(/'/g, "''")}' AS src`);
    db.exec('INSERT INTO users (id, name, role, password_hash, created_at) SELECT id + 10, name || \'-src\', role, password_hash, created_at FROM src.users');
    db.exec(`INSERT INTO messages (id, room_id, seq, sender_id, client_msg_id, body, ts, hash)
      SELECT id, ${room}, row_number() OVER (ORDER BY id), sender_id + 10, client_msg_id, body, ts, hash FROM src.messages`);
    db.exec(`UPDATE rooms SET last_seq = (SELECT count(*) FROM messages) WHERE id = ${room}`);
    db.exec('DETACH src');
    closeWritable(db);
    const out = join(dir, 'export.jsonl');
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin/roost.js'), 'export', '--data', dir, '--room', 'everything', '--format', 'jsonl', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    const rss: number[] = [];
    const sampler = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        const cur = /VmRSS:\s+(\d+)/.exec(status);
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
        if (cur) rss.push(Number(cur[1]));
      } catch { /* exited */ }
    }, 50);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    const s = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`export failed: ${stderr}`);
    const manifest = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8')) as { count: number; bytes: number };
    const quarter = Math.floor(rss.length / 4);
    record('export_1M', {
      messages: manifest.count, seconds: ms(s), bytes: manifest.bytes, peakRssMiB: Math.round(peakKb / 1024),
      rssMiBAtQuarters: [quarter, 2 * quarter, 3 * quarter, rss.length - 1].map((i) => Math.round((rss[i] ?? 0) / 1024)),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!skip.has('export')) await exportMillion();

// ---- 8. Backup of the 1M database (copy + integrity_check of the copy + fsync).
if (!skip.has('backup')) {
  const dir = mkdtempSync(join(tmpdir(), 'roost-bench-backup-'));
  try {
    const r = await backupDatabase(dataDir, join(dir, 'b.db'));
    record('backup_1M', { seconds: ms(r.ms / 1000), bytes: r.bytes, integrity: r.integrity });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

figures.finished = new Date().toISOString();
figures.loadAtEnd = load();
const outFile = a.out ?? join(ROOT, 'bench', 'results', `history-${new Date().toISOString().slice(0, 10)}.json`);
mkdirSync(join(outFile, '..'), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(figures, null, 2)}\n`);
say(`figures written to ${outFile}`);
if (a.data === undefined && !a.keep) rmSync(dataDir, { recursive: true, force: true });
else say(`database kept in ${dataDir}`);
