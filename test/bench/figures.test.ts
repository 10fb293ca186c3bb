import t from 'tap';
import { fitLine } from '../../bench/lib/fit.js';
import { projectConnections, projectPi, USABLE_RAM_SHARE } from '../../bench/lib/projection.js';
import { pickSenders } from '../../bench/scenarios/load-period.js';
import { classifyFailures, memoryFit } from '../../bench/scenarios/figures.js';
import { workersNeeded } from '../../bench/scenarios/session.js';
import { split } from '../../bench/worker/pool.js';
import type { Step } from '../../bench/lib/result.js';

const step = (connections: number, rss: number, kernel: number | null): Step => ({
  connections, attempted: connections, failed: 0, rssBytes: rss, kernelBytes: kernel, cpuPercent: null, cpuWaitMsPerSecond: null,
  clientCpuPercent: null, loopLagP99Ms: null, msgsPerSecond: 0,
  ack: { count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 }, delivery: { count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 },
});

t.test('a line fitted through exact points recovers slope and intercept', async (t) => {
  const line = fitLine([[0, 100], [1000, 1100], [2000, 2100], [4000, 4100]]);
  t.ok(line !== null);
  t.ok(Math.abs((line?.slope ?? 0) - 1) < 1e-9);
  t.ok(Math.abs((line?.intercept ?? 0) - 100) < 1e-6);
  t.equal(line?.r2, 1);
  t.equal(fitLine([[5, 5]]), null, 'one point is not a line');
});

t.test('bytes per connection come from the loaded steps; kernel bytes are halved for the server end', async (t) => {
  const base = 80 * 2 ** 20;
  const steps = [step(0, base + 5_000_000, 0), step(5000, base + 5000 * 1200, 5000 * 7000), step(10_000, base + 10_000 * 1200, 10_000 * 7000), step(15_000, base + 15_000 * 1200, 15_000 * 7000)];
  const fit = memoryFit(steps);
  t.equal(fit?.userBytesPerConn, 1200, 'the start-up outlier at 0 connections is left out of the fit');
  t.equal(fit?.kernelBytesPerConn, 3500);
  t.equal(fit?.points, 3);
  t.equal(memoryFit(steps.slice(0, 3)), null, 'idle and two loaded steps give no figure: the idle step is never a point, and two points are not a fit');
});

t.test('the V8 heap\'s share is fitted from the heap gauge read with each step, and not at all when a step lacks it', async (t) => {
  const base = 80 * 2 ** 20;
  const at = (n: number, heap: number | null) => ({ ...step(n, base + n * 1200, n * 7000), heapUsedBytes: heap });
  t.equal(memoryFit([at(5000, 10e6 + 5000 * 400), at(10_000, 10e6 + 10_000 * 400), at(15_000, 10e6 + 15_000 * 400)])?.heapBytesPerConn, 400);
  t.equal(memoryFit([at(5000, 10e6), at(10_000, null), at(15_000, 11e6)])?.heapBytesPerConn, null, 'two readings of three would be a different line');
  t.equal(memoryFit([at(5000, 10e6), at(10_000, null), at(15_000, 11e6)])?.userBytesPerConn, 1200, 'the RSS fit stands either way');
});

t.test('the Pi projection follows its formula', async (t) => {
  const p = { userBytesPerConn: 1500, kernelBytesPerConn: 3500, baseRssBytes: 100 * 2 ** 20, msgsPerSecond: 10_000 };
  const fourGiB = 4 * 2 ** 30;
  t.equal(projectConnections(fourGiB, p), Math.floor((fourGiB * USABLE_RAM_SHARE - p.baseRssBytes) / 5000));
  const rows = projectPi(p);
  t.equal(rows.length, 8);
  const pi4 = rows.find((r) => r.board === 'Pi 4' && r.ramGiB === 4);
  t.ok((pi4?.connections ?? 0) > 500_000);
  t.equal(pi4?.msgsPerSecond, 3000);
  t.equal(projectConnections(2 ** 20, p), 0, 'never negative');
});

t.test('senders are spread one per full room before any room gets a second', async (t) => {
  t.same(pickSenders(200, 50, 4), [0, 50, 100, 150]);
  t.same(pickSenders(200, 50, 6), [0, 50, 100, 150, 1, 51]);
  t.same(pickSenders(120, 50, 10), [0, 50, 1, 51, 2, 52, 3, 53, 4, 54], 'the partly connected third room gets none');
  t.same(pickSenders(40, 50, 10), [], 'no full room, no senders');
});

t.test('failed connects name the ceiling behind them', async (t) => {
  t.equal(classifyFailures({}, 100, null).rule, 'none');
  t.equal(classifyFailures({ EMFILE: 3 }, 100, null).rule, 'client fd limit');
  t.equal(classifyFailures({ ECONNRESET: 40 }, 20_000, 19_900).rule, 'fd limit');
  t.match(classifyFailures({ EADDRNOTAVAIL: 1 }, 100, null).detail, /ephemeral ports/);
  t.match(classifyFailures({ http_429: 5 }, 100, null).detail, /maxSocketsPerUser/);
  t.match(classifyFailures({ http_503: 5 }, 100, null).detail, /maxConnections/);
});

t.test('enough load generators are started for the per-process fd limit', async (t) => {
  t.equal(workersNeeded(19_500, 1, 20_000), 1);
  t.equal(workersNeeded(50_000, 1, 20_000), 3);
  t.equal(workersNeeded(10, 4, 20_000), 4, 'never fewer than asked');
  t.equal(workersNeeded(10, 1, null), 1);
  t.same(split([1, 2, 3, 4, 5], 2), [[1, 2, 3], [4, 5]]);
});
