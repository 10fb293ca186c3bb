import { statSync } from 'node:fs';
import type { Db } from '../store/db/database.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Below this, a database's size is mostly empty tables and indexes: no per-message figure. */
export const MIN_MESSAGES_TO_PROJECT = 1000;

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
    /** null until there are enough messages that the schema's fixed pages stop dominating the file. */
    bytesPerMessage: number | null;
    bytesPerDay: number | null;
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
  return idBoundaries(db, [ts])[0] ?? 1;
}

/** The first id at or after each of the ascending timestamps (one binary search each, each starting where the last ended). */
export function idBoundaries(db: Db, timestamps: readonly number[]): number[] {
  const max = (db.prepare('SELECT max(id) AS m FROM messages').get() as { m: number | null }).m ?? 0;
  const at = db.prepare('SELECT ts FROM messages WHERE id >= ? ORDER BY id LIMIT 1');
  const out: number[] = [];
  let from = 1;
  for (const ts of timestamps) {
    let lo = from;
    let hi = max + 1;
    for (let i = 0; i < 64 && lo < hi; i++) {
      const mid = Math.floor((lo + hi) / 2);
      const row = at.get(mid) as { ts: number } | undefined;
      if (row === undefined || row.ts >= ts) hi = mid;
      else lo = mid + 1;
    }
    out.push(lo);
    from = lo;
  }
  return out;
}

export function computeStats(db: Db, o: StatsOptions): Stats {
  const off = Math.round(o.utcOffsetMs);
  // Local midnight that starts the window's first day.
  const today = Math.floor((o.now + off) / DAY_MS);
  const firstDay = today - o.days + 1;

  // Ids and timestamps grow together, so each local day (and hour) of the window is an id
  // range found by binary search. Grouping one day or hour at a time sorts a few thousand
  // rows per query instead of the whole window at once: about half the CPU on 1M messages.
  const thisWeek = Math.floor((today + 3) / 7); // weeks start on Monday: 1970-01-01 was a Thursday
  const firstWeek = thisWeek - o.weeks + 1;
  const scanFromDay = Math.min(firstDay, firstWeek * 7 - 3);
  const dayStarts = idBoundaries(db, Array.from({ length: today - scanFromDay + 2 }, (_, k) => (scanFromDay + k) * DAY_MS - off));
  const sendersIn = db.prepare('SELECT sender_id AS s, count(*) AS n FROM messages WHERE id >= ? AND id < ? GROUP BY s');
  const days = new Map<number, { n: number; u: number }>();
  const weeks = new Map<number, Set<number>>();
  for (let d = scanFromDay; d <= today; d++) {
    const rows = sendersIn.all(dayStarts[d - scanFromDay], dayStarts[d - scanFromDay + 1]) as Array<{ s: number; n: number }>;
    days.set(d, { n: rows.reduce((a, r) => a + r.n, 0), u: rows.length });
    const w = Math.floor((d + 3) / 7);
    const senders = weeks.get(w) ?? new Set<number>();
    for (const r of rows) senders.add(r.s);
    weeks.set(w, senders);
  }
  const perDay: DayRow[] = [];
  for (let d = firstDay; d <= today; d++) perDay.push({ day: isoDay(d * DAY_MS), messages: days.get(d)?.n ?? 0, activeUsers: days.get(d)?.u ?? 0 });
  const perWeek: WeekRow[] = [];
  for (let w = firstWeek; w <= thisWeek; w++) perWeek.push({ weekOf: isoDay((w * 7 - 3) * DAY_MS), activeUsers: weeks.get(w)?.size ?? 0 });

  // Hours of the day and busiest rooms over the day window, one hour's id range at a time.
  const hourStarts = idBoundaries(db, Array.from({ length: o.days * 24 + 1 }, (_, k) => firstDay * DAY_MS - off + k * HOUR_MS));
  const roomsIn = db.prepare('SELECT room_id AS room, count(*) AS n FROM messages WHERE id >= ? AND id < ? GROUP BY room');
  const hours = new Array<number>(24).fill(0);
  const perRoom = new Map<number, number>();
  for (let k = 0; k < o.days * 24; k++) {
    for (const r of roomsIn.all(hourStarts[k], hourStarts[k + 1]) as Array<{ room: number; n: number }>) {
      hours[k % 24] = (hours[k % 24] ?? 0) + r.n;
      perRoom.set(r.room, (perRoom.get(r.room) ?? 0) + r.n);
    }
  }
  const roomName = db.prepare('SELECT name FROM rooms WHERE id = ?').pluck();
  const busiestRooms: RoomRow[] = [...perRoom].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 5)
    .map(([room, messages]) => ({ room, name: String(roomName.get(room) ?? `#${room}`), messages }));

  const totals = db.prepare(`SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM users) AS users,
    (SELECT count(*) FROM rooms) AS rooms`).get() as Stats['totals'];

  const databaseBytes = fileSize(o.databaseFile);
  const walBytes = fileSize(`${o.databaseFile}-wal`);
  const bytesPerMessage = totals.messages >= MIN_MESSAGES_TO_PROJECT ? Math.round(databaseBytes / totals.messages) : null;
  const windowMessages = perDay.reduce((a, r) => a + r.messages, 0);
  const bytesPerDay = bytesPerMessage === null ? null : Math.round((windowMessages / o.days) * bytesPerMessage);
  const freeBytes = o.freeBytes ?? null;
  const daysUntilFull = freeBytes === null || bytesPerDay === null || bytesPerDay === 0 ? null : Math.floor(freeBytes / bytesPerDay);

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
