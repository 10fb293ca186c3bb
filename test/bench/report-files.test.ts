import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { machineInfo } from '../../bench/lib/machine.js';
import { resultBaseName, writeResultFiles } from '../../bench/lib/report-files.js';
import type { BenchResult, Step } from '../../bench/lib/result.js';
import { ticks } from '../../bench/lib/svg-chart.js';

const lat = { count: 10, p50Ms: 1.5, p90Ms: 2, p99Ms: 3.25, maxMs: 4 };
const step = (connections: number, rss: number): Step => ({
  connections, attempted: connections, failed: 0, rssBytes: rss, kernelBytes: connections * 7000, cpuPercent: 12, cpuWaitMsPerSecond: 3,
  clientCpuPercent: 40, loopLagP99Ms: 11, msgsPerSecond: 100, ack: lat, delivery: lat,
});

function result(): BenchResult {
  return {
    scenario: 'hold', startedAt: '2030-01-02T03:04:05.678Z', durationSeconds: 42, command: 'roost bench --connections 300',
    machine: { ...machineInfo(tmpdir()), host: 'box<1>' }, loadAverageEnd: [1, 2, 3], parameters: { connections: 300 },
    target: 'roost (scratch)', steps: [step(100, 90e6), step(200, 90.2e6), step(300, 90.4e6)],
    figures: { established: 300, 'survived the hold': 300, ratio: 0.5, note: null },
    memory: { userBytesPerConn: 2000, kernelBytesPerConn: 3500, baseRssBytes: 89.8e6, r2: 0.99, points: 3 },
    ceiling: { rule: 'none', detail: 'every connection was established' },
    projection: { formula: 'connections = …', measuredOnPi: false, rows: [{ board: 'Pi 4', ramGiB: 4, connections: 500_000, msgsPerSecond: null }] },
    baselines: [{ target: 'bare uWS', steps: [step(300, 80e6)], figures: {}, memory: { userBytesPerConn: 1000, kernelBytesPerConn: 3500, baseRssBytes: 79e6, r2: 1, points: 3 } }],
    notes: ['CPU shared with other work'],
  };
}

t.test('a result is written as JSON, Markdown and SVG named by date, host and scenario', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-bench-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = result();
  const files = writeResultFiles(dir, r);
  t.equal(files.json, join(dir, '2030-01-02T03-04-05-box_1_-hold.json'));
  t.same(JSON.parse(readFileSync(files.json, 'utf8')), r, 'the JSON holds the whole result');
  const md = readFileSync(files.md, 'utf8');
  t.match(md, /# roost bench: hold on box<1>/);
  t.match(md, /\| survived the hold \| 300 \|/);
  t.match(md, /2,000 bytes per connection/);
  t.match(md, /\| bare uWS \| 1,000 \| 3\.25 \| 2\.00 \(memory\) \|/, 'the ratio table divides Roost by the baseline');
  t.match(md, /PROJECTION, not a measurement/);
  t.match(md, /Formula: connections = /);
  const svg = readFileSync(files.svg, 'utf8');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.match(svg, /<\/svg>\n$/);
  t.match(svg, /box&lt;1&gt;/, 'text is escaped');
  t.equal((svg.match(/<polyline/g) ?? []).length, 2, 'one RSS line for Roost; one point alone draws no line');
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files are left behind');
});

t.test('a matrix result shows the WebSockets its held polls were compared with, steps and fit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-bench-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r: BenchResult = {
    ...result(), scenario: 'matrix', baselines: [],
    reference: { target: 'roost (scratch), fresh, WebSockets', steps: [step(0, 70e6), step(150, 70.3e6), step(300, 70.6e6)], figures: { 'held as': 'WebSockets' }, memory: { userBytesPerConn: 1900, kernelBytesPerConn: null, heapBytesPerConn: 300, baseRssBytes: 70e6, r2: 1, points: 3 } },
  };
  const files = writeResultFiles(dir, r);
  t.same(JSON.parse(readFileSync(files.json, 'utf8')).reference, r.reference, 'the JSON keeps the reference run');
  const md = readFileSync(files.md, 'utf8');
  const at = md.indexOf('## The WebSockets compared with (roost (scratch), fresh, WebSockets)');
  t.ok(at > 0, 'the Markdown has a section for it');
  const section = md.slice(at);
  t.match(section, /1,900 bytes per connection/, 'with its fit');
  t.match(section, /of which V8's heap: 300 bytes/, 'and its heap share');
  t.match(section, /\| 150 \|/, 'and its steps');
});

t.test('file names sort by time and carry no separators', async (t) => {
  t.equal(resultBaseName('2030-01-02T03:04:05.000Z', 'a/b c', 'find-max'), '2030-01-02T03-04-05-a_b_c-find-max');
});

t.test('chart axes get round ticks covering the data', async (t) => {
  t.same(ticks(100), [0, 20, 40, 60, 80, 100]);
  const big = ticks(19_500);
  t.ok((big[big.length - 1] ?? 0) >= 19_500);
  t.ok(big.length <= 7);
  t.same(ticks(0), [0, 1]);
});
