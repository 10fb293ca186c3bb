import { statSync } from 'node:fs';
import type { Db } from '../store/database.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface StatsOptions {
  /** Days covered by the per-day, rooms and hours figures. */
  days: number;
  /** Weeks covered by active users per week. */
  weeks: number;
  now: number;
  /** Local time's offset from UTC in ms (days and hours are local). */
  utcOffsetMs: number;
  /** The database file, for its size (and its -wal beside it). */
  databaseFile: string;
  /** Free bytes on the data folder's file system, if known. */
  freeBytes: number | undefined;
}

export interface DayRow { day: string; messages: number; activeUsers: number }
export interface WeekRow { weekOf: string; activeUsers: number }
export interface RoomRow { room: number; name: string; messages: number }

export interface Stats {
  since: string;
  until: string;
  totals: { messages: number; users: number; rooms: number };
  perDay: DayRow[];
  perWeek: WeekRow[];
  busiestRooms: RoomRow[];
  /** Messages per local hour of day (index = hour), over the window. */
  hours: number[];
  storage: {
    databaseBytes: number;
    walBytes: number;
    bytesPerMessage: number;
    bytesPerDay: number;
    freeBytes: number | null;
    daysUntilFull: number | null;
  };
}

const isoDay = (localMs: number): string => new Date(localMs).toISOString().slice(0, 10);

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * The first message id at or after `ts`. Ids and timestamps both grow as the
 * writer appends, so a binary search over the primary key finds the start of
 * a time window in ~20 point lookups, and every stats query is then a rowid
 * range scan: no index on ts (which every message would pay for in writes).
 * A clock step backwards only blurs the boundary by the size of the step.
 */
export function firstIdAtOrAfter(db: Db, ts: number): number {
  const max = (db.prepare('SELECT max(id) AS m FROM messages').get() as { m: number | null }).m ?? 0;
  const at = db.prepare('SELECT ts FROM messages WHERE id >= ? ORDER BY id LIMIT 1');
  let lo = 1;
  let hi = max + 1;
  for (let i = 0; i < 64 && lo < hi; i++) {
    const mid = Math.floor((lo + hi) / 2);
    const row = at.get(mid) as { ts: number } | undefined;
    if (row === undefined || row.ts >= ts) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function computeStats(db: Db, o: StatsOptions): Stats {
  // better-sqlite3 binds JS numbers as REAL: the SQL casts it back so days and hours divide as integers.
  const off = Math.round(o.utcOffsetMs) + 0;
  // Local midnight that starts the window's first day.
  const today = Math.floor((o.now + off) / DAY_MS);
  const firstDay = today - o.days + 1;
  const fromId = firstIdAtOrAfter(db, firstDay * DAY_MS - off);

  const dayRows = db.prepare(`SELECT (ts + CAST(? AS INTEGER)) / ${DAY_MS} AS d, count(*) AS n, count(DISTINCT sender_id) AS u
    FROM messages WHERE id >= ? GROUP BY d`).all(off, fromId) as Array<{ d: number; n: number; u: number }>;
  const byDay = new Map(dayRows.map((r) => [r.d, r]));
  const perDay: DayRow[] = [];
  for (let d = firstDay; d <= today; d++) {
    const r = byDay.get(d);
    perDay.push({ day: isoDay(d * DAY_MS), messages: r?.n ?? 0, activeUsers: r?.u ?? 0 });
  }

  // Weeks start on Monday (1970-01-01 was a Thursday: +3 days aligns to Monday).
  const thisWeek = Math.floor((today + 3) / 7);
  const firstWeek = thisWeek - o.weeks + 1;
  const weekFromId = firstIdAtOrAfter(db, (firstWeek * 7 - 3) * DAY_MS - off);
  const weekRows = db.prepare(`SELECT ((ts + CAST(? AS INTEGER)) / ${DAY_MS} + 3) / 7 AS w, count(DISTINCT sender_id) AS u
    FROM messages WHERE id >= ? GROUP BY w`).all(off, weekFromId) as Array<{ w: number; u: number }>;
  const byWeek = new Map(weekRows.map((r) => [r.w, r.u]));
  const perWeek: WeekRow[] = [];
  for (let w = firstWeek; w <= thisWeek; w++) perWeek.push({ weekOf: isoDay((w * 7 - 3) * DAY_MS), activeUsers: byWeek.get(w) ?? 0 });

  const busiestRooms = db.prepare(`SELECT m.room_id AS room, r.name AS name, m.n AS messages
    FROM (SELECT room_id, count(*) AS n FROM messages WHERE id >= ? GROUP BY room_id ORDER BY n DESC LIMIT 5) m
    JOIN rooms r ON r.id = m.room_id ORDER BY m.n DESC`).all(fromId) as RoomRow[];

  const hours = new Array<number>(24).fill(0);
  const hourRows = db.prepare(`SELECT ((ts + CAST(? AS INTEGER)) / ${HOUR_MS}) % 24 AS h, count(*) AS n FROM messages WHERE id >= ? GROUP BY h`)
    .all(off, fromId) as Array<{ h: number; n: number }>;
  for (const r of hourRows) hours[r.h] = r.n;

  const totals = db.prepare(`SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM users) AS users,
    (SELECT count(*) FROM rooms) AS rooms`).get() as Stats['totals'];

  const databaseBytes = fileSize(o.databaseFile);
  const walBytes = fileSize(`${o.databaseFile}-wal`);
  const bytesPerMessage = totals.messages > 0 ? Math.round(databaseBytes / totals.messages) : 0;
  const windowMessages = perDay.reduce((a, r) => a + r.messages, 0);
  const bytesPerDay = Math.round((windowMessages / o.days) * bytesPerMessage);
  const freeBytes = o.freeBytes ?? null;
  const daysUntilFull = freeBytes === null || bytesPerDay === 0 ? null : Math.floor(freeBytes / bytesPerDay);

  return {
    since: perDay[0]?.day ?? isoDay(firstDay * DAY_MS),
    until: isoDay(today * DAY_MS),
    totals,
    perDay,
    perWeek,
    busiestRooms,
    hours,
    storage: { databaseBytes, walBytes, bytesPerMessage, bytesPerDay, freeBytes, daysUntilFull },
  };
}

const BLOCKS = ' ▏▎▍▌▋▊▉█';

/** A horizontal bar `width` cells long at most, with eighth-cell resolution. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 === 0 ? '' : BLOCKS[eighths % 8] ?? '');
}

const SPARKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? SPARKS[0] : SPARKS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}
