import t from 'tap';
import { decode, encode, newHistogram, recordMs, summarize } from '../../bench/lib/histogram.js';

t.test('percentiles of 1..1000 ms are within HdrHistogram precision (3 digits)', async (t) => {
  const h = newHistogram();
  for (let i = 1; i <= 1000; i++) recordMs(h, i);
  const s = summarize(h);
  t.equal(s.count, 1000);
  t.ok(Math.abs(s.p50Ms - 500) <= 1, `p50 ${s.p50Ms}`);
  t.ok(Math.abs(s.p90Ms - 900) <= 1, `p90 ${s.p90Ms}`);
  t.ok(Math.abs(s.p99Ms - 990) <= 1, `p99 ${s.p99Ms}`);
  t.ok(Math.abs(s.maxMs - 1000) <= 1, `max ${s.maxMs}`);
});

t.test('one slow outlier in 100 moves the max but not the p99', async (t) => {
  const h = newHistogram();
  for (let i = 0; i < 99; i++) recordMs(h, 2);
  recordMs(h, 5000);
  const s = summarize(h);
  t.ok(s.p99Ms < 2.01, `p99 ${s.p99Ms}`);
  t.ok(s.maxMs >= 4995, `max ${s.maxMs}`);
});

t.test('histograms from several workers merge into the percentiles of all samples', async (t) => {
  const a = newHistogram();
  const b = newHistogram();
  for (let i = 0; i < 900; i++) recordMs(a, 1);
  for (let i = 0; i < 100; i++) recordMs(b, 100);
  const merged = newHistogram();
  merged.add(decode(encode(a)));
  merged.add(decode(encode(b)));
  const s = summarize(merged);
  t.equal(s.count, 1000);
  t.ok(s.p50Ms <= 1.01, `p50 ${s.p50Ms}`);
  t.ok(s.p99Ms >= 99.9 && s.p99Ms <= 100.1, `p99 ${s.p99Ms}`);
});

t.test('an empty histogram summarises to zeros, and sub-microsecond values count as 1 µs', async (t) => {
  t.same(summarize(newHistogram()), { count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 });
  const h = newHistogram();
  recordMs(h, 0);
  t.equal(summarize(h).count, 1);
});
