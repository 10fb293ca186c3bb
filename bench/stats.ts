/**
 * What `roost stats` costs on a large history: a data folder of N messages over
 * D days in 40 rooms from 200 users, then the 30- and 60-day windows computed,
 * CPU time measured around each (the queries run synchronously on this thread).
 * Target: under a second of CPU for 1,000,000 messages.
 *
 *   npm run build && node dist/bench/stats.js [messages=1000000] [days=60]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeStats } from '../src/ops/stats.js';
import { closeWritable, openReadOnly, openWritable } from '../src/store/db/database.js';

const total = Number(process.argv[2] ?? 1_000_000);
const days = Number(process.argv[3] ?? 60);
const DAY = 86_400_000;
const now = Date.now();

const dir = mkdtempSync(join(tmpdir(), 'roost-stats-bench-'));
try {
  const w = openWritable(dir);
  const seq = new Map<number, number>();
  w.transaction(() => {
    for (let i = 1; i <= 200; i++) w.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, 'member', 'x', 0)").run(`u${i}`);
    for (let i = 1; i <= 40; i++) w.prepare("INSERT INTO rooms (name, kind, created_at) VALUES (?, 'group', 0)").run(`r${i}`);
    const ins = w.prepare('INSERT INTO messages (room_id, seq, sender_id, client_msg_id, body, ts) VALUES (?, ?, ?, ?, ?, ?)');
    const step = (days * DAY) / total;
    for (let i = 0; i < total; i++) {
      const room = 1 + ((i * 7919) % 40);
      const s = (seq.get(room) ?? 0) + 1;
      seq.set(room, s);
      ins.run(room, s, 1 + ((i * 104729) % 200), `c${i}`, 'a message body of a typical length, about sixty characters', Math.floor(now - days * DAY + i * step));
    }
  })();
  closeWritable(w);
  const db = openReadOnly(dir);
  for (const window of [30, 60]) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    computeStats(db, { days: window, weeks: 12, now, utcOffsetMs: 0, databaseFile: join(dir, 'roost.db'), freeBytes: 1_000_000_000 });
    const used = process.cpuUsage(cpu);
    console.log(`stats over ${total} messages, ${window}-day window: ${((used.user + used.system) / 1000).toFixed(0)} ms CPU, ${(performance.now() - started).toFixed(0)} ms wall`);
  }
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
