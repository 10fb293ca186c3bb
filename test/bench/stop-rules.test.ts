import t from 'tap';
import { DEFAULT_LIMITS, judgeStep, nextStep, parseBytes, type StepFigures } from '../../bench/lib/stop-rules.js';

const ok: StepFigures = { attempted: 2000, established: 2000, failed: 0, deliveryP99Ms: 20, rssBytes: 100 * 2 ** 20, loopLagP99Ms: 15, serverFdsLeft: null };

t.test('a step passes when every rule holds', async (t) => {
  t.same(judgeStep(ok, DEFAULT_LIMITS), { pass: true, ceiling: 'none', detail: 'all rules held' });
});

t.test('connect errors above 0.1 % stop the ramp; at 0.1 % exactly they do not', async (t) => {
  t.equal(judgeStep({ ...ok, failed: 2 }, DEFAULT_LIMITS).pass, true);
  const v = judgeStep({ ...ok, failed: 3 }, DEFAULT_LIMITS);
  t.equal(v.pass, false);
  t.equal(v.ceiling, 'connect errors');
  t.match(v.detail, /3 of 2000/);
});

t.test('p99 delivery, RSS and event-loop lag each trip their own rule', async (t) => {
  t.equal(judgeStep({ ...ok, deliveryP99Ms: 201 }, DEFAULT_LIMITS).ceiling, 'latency');
  t.equal(judgeStep({ ...ok, rssBytes: DEFAULT_LIMITS.rssLimitBytes + 1 }, DEFAULT_LIMITS).ceiling, 'memory');
  t.equal(judgeStep({ ...ok, loopLagP99Ms: 100.5 }, DEFAULT_LIMITS).ceiling, 'event-loop lag');
  t.equal(judgeStep({ ...ok, deliveryP99Ms: null, rssBytes: null, loopLagP99Ms: null }, DEFAULT_LIMITS).pass, true, 'unknown figures do not fail a step');
});

t.test('the first rule in order names the ceiling when several trip', async (t) => {
  t.equal(judgeStep({ ...ok, failed: 100, deliveryP99Ms: 900 }, DEFAULT_LIMITS).ceiling, 'connect errors');
});

t.test('steps stop at the server fd cap and say so', async (t) => {
  t.same(nextStep(0, 2000, 10_000, null), { next: 2000 });
  t.same(nextStep(8000, 2000, 9000, null), { next: 9000 });
  t.same(nextStep(18_000, 2000, 100_000, 19_500), { next: 19_500 }, 'the last step is the cap itself');
  const stop = nextStep(19_500, 2000, 100_000, 19_500);
  t.ok('stop' in stop && stop.stop.ceiling === 'fd limit');
  const done = nextStep(10_000, 2000, 10_000, null);
  t.ok('stop' in done && done.stop.pass, 'reaching --connections is a pass');
});

t.test('sizes parse with binary units', async (t) => {
  t.equal(parseBytes('512M'), 512 * 2 ** 20);
  t.equal(parseBytes('2G'), 2 * 2 ** 30);
  t.equal(parseBytes('1.5GiB'), 1.5 * 2 ** 30);
  t.equal(parseBytes('1000'), 1000);
  t.throws(() => parseBytes('lots'));
});
