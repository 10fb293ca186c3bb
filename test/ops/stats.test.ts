import { join } from 'node:path';
import t, { type Test } from 'tap';
import { computeStats, firstIdAtOrAfter, bar, sparkline } from '../../src/ops/stats.js';
import { closeWritable, openReadOnly, openWritable, type Db } from '../../src/store/db/database.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0); // Wednesday 25 Nov 2026, 12:00 UTC

/** A data folder with users u1..u<users>, rooms r1..r<rooms>, and the given messages. */
function seeded(t: Test, users: number, rooms: number, fill: (insert: (room: number, sender: number, ts: number) => void) => void): { dir: string; db: Db } {
  const dir = t.testdir();
  const w = openWritable(dir);
  const seq = new Map<number, number>();
  let n = 0;
  w.transaction(() => {
    for (let i = 1; i <= users; i++) w.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, 'member', 'x', 0)").run(`u${i}`);
    for (let i = 1; i <= rooms; i++) w.prepare("INSERT INTO rooms (name, kind, created_at) VALUES (?, 'group', 0)").run(`r${i}`);
    const ins = w.prepare('INSERT INTO messages (room_id, seq, sender_id, client_msg_id, body, ts) VALUES (?, ?, ?, ?, ?, ?)');
    fill((room, sender, ts) => {
      const s = (seq.get(room) ?? 0) + 1;
      seq.set(room, s);
      ins.run(room, s, sender, `c${n++}`, 'a message body of a typical length, about sixty characters', ts);
    });
  })();
  closeWritable(w);
  const db = openReadOnly(dir);
  t.teardown(() => db.close());
  return { dir, db };
}

const options = (dir: string, over: Partial<Parameters<typeof computeStats>[1]> = {}): Parameters<typeof computeStats>[1] => ({
  days: 7, weeks: 4, now: NOW, utcOffsetMs: 0, databaseFile: join(dir, 'roost.db'), freeBytes: 1_000_000, ...over,
});

t.test('messages and active users per day, per week, busiest rooms and hours', async (t) => {
  const { dir, db } = seeded(t, 3, 3, (add) => {
    add(1, 1, NOW - 10 * DAY); // outside the 7-day window
    add(1, 1, NOW - 2 * DAY + HOUR); // Mon 23 Nov 13:00
    add(1, 2, NOW - 2 * DAY + 2 * HOUR); // Mon 14:00
    add(2, 2, NOW - DAY); // Tue 12:00
    add(2, 3, NOW - 1000); // Wed 11:59
    add(2, 3, NOW - 500); // Wed 11:59
    add(3, 1, NOW - 100); // Wed 11:59
  });
  const s = computeStats(db, options(dir));
  t.equal(s.since, '2026-11-19');
  t.equal(s.until, '2026-11-25');
  t.same(s.perDay.map((d) => [d.day, d.messages, d.activeUsers]), [
    ['2026-11-19', 0, 0], ['2026-11-20', 0, 0], ['2026-11-21', 0, 0], ['2026-11-22', 0, 0],
    ['2026-11-23', 2, 2], ['2026-11-24', 1, 1], ['2026-11-25', 3, 2],
  ]);
  t.same(s.totals, { messages: 7, users: 3, rooms: 3 });
  t.same(s.perWeek.map((w) => [w.weekOf, w.activeUsers]), [['2026-11-02', 0], ['2026-11-09', 1], ['2026-11-16', 0], ['2026-11-23', 3]], 'weeks start on Monday');
  t.same(s.busiestRooms, [{ room: 2, name: 'r2', messages: 3 }, { room: 1, name: 'r1', messages: 2 }, { room: 3, name: 'r3', messages: 1 }]);
  t.equal(s.hours[11], 3);
  t.equal(s.hours[12], 1);
  t.equal(s.hours[13], 1);
  t.equal(s.hours.reduce((a, b) => a + b, 0), 6, 'hours cover the window only');
  t.ok(s.storage.databaseBytes > 0);
  t.equal(s.storage.bytesPerMessage, null, 'seven messages: the file is mostly empty schema, no per-message figure');
  t.equal(s.storage.daysUntilFull, null);
});

t.test('days and hours are local: a UTC+8 office sees 20:00 UTC as 04:00 the next day', async (t) => {
  const { dir, db } = seeded(t, 1, 1, (add) => add(1, 1, Date.UTC(2026, 10, 23, 20, 0, 0)));
  const s = computeStats(db, options(dir, { utcOffsetMs: 8 * HOUR }));
  t.equal(s.perDay.find((d) => d.messages > 0)?.day, '2026-11-24');
  t.equal(s.hours[4], 1);
});

t.test('an empty database gives zeros and no projection', async (t) => {
  const { dir, db } = seeded(t, 0, 0, () => {});
  const s = computeStats(db, options(dir));
  t.equal(s.perDay.length, 7);
  t.ok(s.perDay.every((d) => d.messages === 0));
  t.same(s.busiestRooms, []);
  t.equal(s.storage.daysUntilFull, null);
});

t.test('the window start is found by binary search over ids, even with gaps left by deleted rows', async (t) => {
  const { db } = seeded(t, 1, 1, (add) => {
    for (let i = 0; i < 100; i++) add(1, 1, NOW - (100 - i) * HOUR);
  });
  t.equal(firstIdAtOrAfter(db, NOW - 50 * HOUR), 51);
  t.equal(firstIdAtOrAfter(db, 0), 1);
  t.equal(firstIdAtOrAfter(db, NOW + DAY), 101, 'after the last message: one past the end');
});

t.test('bars and sparklines scale to the largest value', async (t) => {
  t.equal(bar(10, 10, 4), '████');
  t.equal(bar(0, 10, 4), '');
  t.equal(bar(5, 10, 4), '██');
  t.equal(sparkline([0, 5, 10]), '▁▄█');
  t.equal(sparkline([0, 0]), '▁▁');
});

// How long this takes is a figure for the benchmark (`node dist/bench/stats.js`), not a verdict
// here: CPU time on a machine shared with other test files measures them as well.
t.test('stats over a large history: totals, storage per message and each window\'s share', async (t) => {
  const days = 60;
  const total = 200_000;
  const { dir, db } = seeded(t, 200, 40, (add) => {
    const step = (days * DAY) / total;
    for (let i = 0; i < total; i++) add(1 + ((i * 7919) % 40), 1 + ((i * 104729) % 200), Math.floor(NOW - days * DAY + i * step));
  });
  for (const window of [30, 60]) {
    const s = computeStats(db, options(dir, { days: window, weeks: 12 }));
    t.equal(s.totals.messages, total);
    const perMessage = s.storage.bytesPerMessage ?? 0;
    t.ok(perMessage > 60 && perMessage < 1000, `${perMessage} bytes per message`);
    t.equal(s.storage.bytesPerDay, Math.round((s.perDay.reduce((a, d) => a + d.messages, 0) / window) * perMessage));
    t.equal(s.storage.daysUntilFull, Math.floor(1_000_000 / (s.storage.bytesPerDay ?? 1)));
    t.ok(s.perDay.reduce((a, d) => a + d.messages, 0) >= (total * (window - 1)) / days, 'the window holds its share of messages');
  }
});
