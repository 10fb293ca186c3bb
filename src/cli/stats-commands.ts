import { statfsSync } from 'node:fs';
import type { Command } from 'commander';
import { bytes } from '../ops/doctor/types.js';
import { bar, computeStats, sparkline, type Stats } from '../ops/stats.js';
import { databasePath, openReadOnly } from '../store/db/database.js';
import { configWithDatabase, withDataOptions, type DataFlags } from './data-options.js';
import { out, wholeNumber } from './io.js';

function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

function printStats(s: Stats): void {
  const width = 40;
  const n = (count: number, what: string): string => `${count} ${what}${count === 1 ? '' : 's'}`;
  out(`Roost usage ${s.since} .. ${s.until}: ${n(s.totals.messages, 'message')} in all, ${n(s.totals.users, 'user')}, ${n(s.totals.rooms, 'room')}`);
  out('');
  out('Messages per day                                  active users');
  const maxDay = Math.max(0, ...s.perDay.map((d) => d.messages));
  for (const d of s.perDay) out(`${d.day} ${String(d.messages).padStart(7)} ${bar(d.messages, maxDay, width).padEnd(width)} ${d.activeUsers}`);
  out('');
  out(`Active users per week: ${s.perWeek.map((w) => `${w.weekOf.slice(5)}:${w.activeUsers}`).join('  ')}`);
  out(`                       ${sparkline(s.perWeek.map((w) => w.activeUsers))}`);
  out('');
  out('Busiest rooms');
  const maxRoom = Math.max(0, ...s.busiestRooms.map((r) => r.messages));
  for (const r of s.busiestRooms) out(`  ${r.name.slice(0, 24).padEnd(24)} ${String(r.messages).padStart(7)} ${bar(r.messages, maxRoom, width - 10)}`);
  if (s.busiestRooms.length === 0) out('  (no messages in this period)');
  out('');
  out(`Messages by hour of day  ${sparkline(s.hours)}`);
  out(`                         0     6     12    18   23`);
  const busiest = s.hours.map((n, h) => ({ h, n })).sort((a, b) => b.n - a.n).slice(0, 3).filter((x) => x.n > 0);
  if (busiest.length > 0) out(`busiest hours: ${busiest.map((x) => `${String(x.h).padStart(2, '0')}:00 (${x.n})`).join(', ')}`);
  out('');
  const st = s.storage;
  const free = st.freeBytes === null ? 'free space unknown' : `${bytes(st.freeBytes)} free`;
  out(`Storage: database ${bytes(st.databaseBytes)} + WAL ${bytes(st.walBytes)}; ${free}`);
  if (st.bytesPerMessage === null || st.bytesPerDay === null) {
    out('  too few messages yet to project growth');
    return;
  }
  out(`  about ${st.bytesPerMessage} bytes per message; growing about ${bytes(st.bytesPerDay)} per day at this period's pace`);
  out(`  ${st.daysUntilFull === null ? 'no growth to project' : `disk full in about ${st.daysUntilFull} days at this pace`}`);
}

/** `roost stats`: how the office uses chat, from the database (read-only, safe while the server runs). */
export function statsCommands(program: Command): void {
  withDataOptions(program.command('stats'))
    .description('messages per day, active users, busiest rooms and hours, storage growth and days until the disk is full')
    .option('--days <n>', 'days covered by the daily figures', '30')
    .option('--weeks <n>', 'weeks covered by active users per week', '12')
    .option('--json', 'print JSON')
    .action((opts: DataFlags & { days: string; weeks: string; json?: boolean }) => {
      const days = wholeNumber(opts.days, '--days', 1, 3660);
      const weeks = wholeNumber(opts.weeks, '--weeks', 1, 520);
      const config = configWithDatabase(opts);
      const file = databasePath(config.dataDir);
      const db = openReadOnly(config.dataDir);
      try {
        const stats = computeStats(db, {
          days, weeks, now: Date.now(), utcOffsetMs: -new Date().getTimezoneOffset() * 60_000,
          databaseFile: file, freeBytes: freeBytes(config.dataDir),
        });
        if (opts.json) out(JSON.stringify(stats, null, 2));
        else printStats(stats);
      } finally {
        db.close();
      }
    });
}
