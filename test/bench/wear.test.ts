import t from 'tap';
import { DEFAULT_ENDURANCE_BYTES, ENDURANCE_SOURCE, dailyBytes, yearsToEndurance } from '../../bench/lib/endurance.js';
import { parseProcIo } from '../../bench/lib/proc-io.js';
import { secondsFor, wearRow } from '../../bench/scenarios/wear.js';

t.test('write_bytes is read from /proc/<pid>/io', async (t) => {
  const text = 'rchar: 10\nwchar: 2000\nsyscr: 1\nsyscw: 2\nread_bytes: 0\nwrite_bytes: 40960\ncancelled_write_bytes: 4096\n';
  t.same(parseProcIo(text), { writeBytes: 40_960, cancelledWriteBytes: 4096, wchar: 2000 });
  t.equal(parseProcIo('rchar: 1\n'), null, 'no write_bytes (a kernel without task I/O accounting): null');
});

t.test('bytes per message and years until the card\'s endurance follow from the measurement', async (t) => {
  const row = wearRow(1, 60, 60, 60 * 10_000, DEFAULT_ENDURANCE_BYTES);
  t.equal(row.bytesPerMessage, 10_000);
  t.equal(row.bytesPerDay, 10_000 * 86_400, 'one message a second, all day');
  t.equal(row.years, DEFAULT_ENDURANCE_BYTES / (10_000 * 86_400) / 365.25);
  t.same(wearRow(10, 30, 0, 4096, DEFAULT_ENDURANCE_BYTES), { msgsPerSecond: 10, seconds: 30, acked: 0, writeBytes: 4096, bytesPerMessage: null, bytesPerDay: null, years: null }, 'nothing acked: no figure');
  t.equal(yearsToEndurance(DEFAULT_ENDURANCE_BYTES, 0), null, 'nothing written: no end');
  t.equal(dailyBytes(100, 10), 100 * 10 * 86_400);
});

t.test('the endurance assumed is stated with where it comes from', async (t) => {
  t.equal(DEFAULT_ENDURANCE_BYTES, 8e12);
  t.match(ENDURANCE_SOURCE, /assumed.*P\/E cycles.*--endurance-tb/);
});

t.test('the 1 msg/s point runs long enough for 60 messages; high rates stay short', async (t) => {
  t.equal(secondsFor(1), 60);
  t.equal(secondsFor(10), 30);
  t.equal(secondsFor(1000), 10);
});
