/** Writes a result as JSON, a Markdown summary and an SVG chart, side by side. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult, RunFigures, Step } from './result.js';
import { chartSvg, type Series } from './svg-chart.js';

const MiB = 2 ** 20;
const n = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** `2025-01-31T10-20-30-host-hold`: sortable, safe as a file name. */
export function resultBaseName(startedAt: string, host: string, scenario: string): string {
  const stamp = startedAt.replace(/\.\d+Z$/, '').replace(/:/g, '-');
  return `${stamp}-${host.replace(/[^A-Za-z0-9.-]/g, '_')}-${scenario}`;
}

function stepsTable(steps: Step[]): string[] {
  const rows = ['| connections | failed | server RSS MiB | kernel MiB | CPU % | CPU wait ms/s | loop lag p99 ms | msgs/s | ack p50/p99 ms | delivery p50/p99/max ms | |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'];
  for (const s of steps) {
    rows.push(`| ${n(s.connections)} | ${n(s.failed)} | ${n(s.rssBytes === null ? null : s.rssBytes / MiB, 1)} | ${n(s.kernelBytes === null ? null : s.kernelBytes / MiB, 1)} | ${n(s.cpuPercent)} | ${n(s.cpuWaitMsPerSecond)} | ${n(s.loopLagP99Ms, 1)} | ${n(s.msgsPerSecond)} | ${s.ack.count ? `${n(s.ack.p50Ms, 2)} / ${n(s.ack.p99Ms, 2)}` : '–'} | ${s.delivery.count ? `${n(s.delivery.p50Ms, 2)} / ${n(s.delivery.p99Ms, 2)} / ${n(s.delivery.maxMs, 1)}` : '–'} | ${s.pass === undefined ? '' : s.pass ? 'pass' : 'STOP'}${s.note ? ` ${s.note}` : ''} |`);
  }
  return rows;
}

function rssLines(r: RunFigures): string[] {
  const c = r.rss;
  if (c === undefined || c === null) return [];
  const idleAfter = c.idleAfterSeconds ?? c.settleSeconds;
  return [`- server RSS (VmRSS, settled ${c.settleSeconds} s): **${n(c.idleBytes === null ? null : c.idleBytes / MiB, 1)} MiB idle after start**` +
    `${idleAfter > c.settleSeconds ? ` (read ${idleAfter} s after start, once the writer thread had parked)` : ''}, ` +
    `**${n(c.afterLoginsBytes === null ? null : c.afterLoginsBytes / MiB, 1)} MiB after ${n(c.logins)} HTTP logins** over ${c.loginUsers} users` +
    `${c.loginsFailed > 0 ? ` (${n(c.loginsFailed)} failed: ${c.firstLoginError ?? ''})` : ''}`];
}

function wearLines(r: RunFigures): string[] {
  if (r.wear === undefined || r.wear.length === 0) return [];
  const rows = ['', '| msg/s | seconds | messages | bytes written | bytes per message | MB per day | years to endurance |', '|---:|---:|---:|---:|---:|---:|---:|'];
  for (const w of r.wear) rows.push(`| ${n(w.msgsPerSecond)} | ${n(w.seconds)} | ${n(w.acked)} | ${n(w.writeBytes)} | ${n(w.bytesPerMessage)} | ${n(w.bytesPerDay === null ? null : w.bytesPerDay / 1e6, 1)} | ${n(w.years, 1)} |`);
  return rows;
}

function memoryLines(r: RunFigures): string[] {
  if (r.wear !== undefined) return [...rssLines(r), ...wearLines(r)];
  if (r.memory === null) return [...rssLines(r), ...(r.steps.length === 0 ? [] : ['Too few steps to fit bytes per connection.'])];
  return [...rssLines(r), ...memoryLinesFit(r)];
}

function memoryLinesFit(r: RunFigures): string[] {
  if (r.memory === null) return [];
  const m = r.memory;
  return [
    `- user space: **${n(m.userBytesPerConn)} bytes per connection** (slope of server RSS over ${m.points} steps, r² ${m.r2.toFixed(3)}; base RSS ${n(m.baseRssBytes / MiB, 1)} MiB)`,
    ...(m.heapBytesPerConn === undefined || m.heapBytesPerConn === null ? [] : [`- of which V8's heap: ${n(m.heapBytesPerConn)} bytes per connection (slope of the server's roost_heap_used_bytes read with RSS; the rest is native memory and the heap's free page space)`]),
    `- kernel: ${m.kernelBytesPerConn === null ? 'not measured (needs /proc/slabinfo, i.e. root)' : `**${n(m.kernelBytesPerConn)} bytes per connection**, server end (TCP buffers from /proc/net/sockstat plus socket slab objects from /proc/slabinfo, halved because both ends live on this box)`}`,
  ];
}

export function markdownSummary(r: BenchResult): string {
  const m = r.machine;
  const lines = [
    `# roost bench: ${r.scenario} on ${m.host}`,
    '',
    `Started ${r.startedAt}, took ${r.durationSeconds.toFixed(0)} s. Command: \`${r.command}\``,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${n(m.ramBytes / 2 ** 30, 1)} GiB RAM, ${m.arch}, ${m.kernel}, Node ${m.node}, SQLite ${m.sqlite}; storage ${m.storage}${m.piModel ? `; ${m.piModel}` : ''}.` +
      (m.emulatedServer === null ? '' : ` The server ran emulated (\`${m.emulatedServer}\`): its memory figures are the guest's own pages; its timings are the emulator's, not a Pi's.`),
    `Load average (1/5/15 min) at start ${m.loadAverage.map((x) => x.toFixed(2)).join(' / ')}, at end ${r.loadAverageEnd.map((x) => x.toFixed(2)).join(' / ')}${m.loadAverage[0] > m.cores * 0.5 ? ' — **the CPU was shared with other work; figures are lower than on an idle box**' : ''}.`,
    '',
    '## Parameters',
    '',
    ...Object.entries(r.parameters).map(([k, v]) => `- ${k}: ${String(v)}`),
    '',
    `## Result (${r.target})`,
    '',
    '| figure | value |',
    '|---|---:|',
    ...Object.entries(r.figures).map(([k, v]) => `| ${k} | ${typeof v === 'number' ? n(v, Number.isInteger(v) ? 0 : 2) : (v ?? '–')} |`),
    '',
    `**Ceiling:** ${r.ceiling.rule} — ${r.ceiling.detail}`,
    '',
    '## Steps',
    '',
    ...stepsTable(r.steps),
    '',
    '## Bytes per connection',
    '',
    ...memoryLines(r),
  ];
  if (r.reference !== undefined) {
    lines.push('', `## The WebSockets compared with (${r.reference.target})`, '', ...stepsTable(r.reference.steps), '', ...memoryLines(r.reference));
  }
  if (r.baselines.length > 0) {
    lines.push('', '## Baselines (same frames, no storage)', '', '| server | user bytes/conn | p99 delivery ms (last step) | Roost ÷ this |', '|---|---:|---:|---:|');
    const mine = r.memory?.userBytesPerConn ?? null;
    const lastP99 = (x: RunFigures): number | null => x.steps[x.steps.length - 1]?.delivery.p99Ms ?? null;
    lines.push(`| Roost | ${n(mine)} | ${n(lastP99(r), 2)} | 1.00 |`);
    for (const b of r.baselines) {
      const theirs = b.memory?.userBytesPerConn ?? null;
      const ratio = mine !== null && theirs !== null && theirs > 0 ? (mine / theirs).toFixed(2) : '–';
      lines.push(`| ${b.target} | ${n(theirs)} | ${n(lastP99(b), 2)} | ${ratio} (memory) |`);
    }
  }
  if (r.projection !== null) {
    const p = r.projection;
    lines.push('', `## What a Pi would hold (${p.measuredOnPi ? 'measured on this Pi' : 'PROJECTION, not a measurement'})`, '', `Formula: ${p.formula}`, '');
    if (p.unreliable !== undefined) lines.push(`Not projected: ${p.unreliable}.`);
    else {
      lines.push('| board | RAM | connections | limited by | durable msgs/s |', '|---|---:|---:|---|---:|');
      for (const row of p.rows) lines.push(`| ${row.board} | ${row.ramGiB} GB | ${n(row.connections)} | ${row.limitedBy ?? 'memory'} | ${n(row.msgsPerSecond)} |`);
    }
  }
  if (r.notes.length > 0) lines.push('', '## Notes', '', ...r.notes.map((x) => `- ${x}`));
  return `${lines.join('\n')}\n`;
}

export function chartFor(r: BenchResult): string {
  const runs: RunFigures[] = [r, ...r.baselines];
  const rss: Series[] = runs.map((x) => ({ name: x.target, points: x.steps.filter((s) => s.rssBytes !== null).map((s) => [s.connections, (s.rssBytes ?? 0) / MiB]) }));
  const p99: Series[] = runs.map((x) => ({
    name: x.target,
    points: x.steps.filter((s) => s.delivery.count > 0 || s.ack.count > 0).map((s) => [s.connections, s.delivery.count > 0 ? s.delivery.p99Ms : s.ack.p99Ms]),
  }));
  return chartSvg(`roost bench ${r.scenario}, ${r.machine.host}, ${r.startedAt}`, rss, p99);
}

/** Writes the three files atomically (temp name, then rename); returns their paths. */
export function writeResultFiles(dir: string, r: BenchResult): { json: string; md: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, resultBaseName(r.startedAt, r.machine.host, r.scenario));
  const files = { json: `${base}.json`, md: `${base}.md`, svg: `${base}.svg` };
  const put = (path: string, text: string): void => {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };
  put(files.json, `${JSON.stringify(r, null, 2)}\n`);
  put(files.md, markdownSummary(r));
  put(files.svg, chartFor(r));
  return files;
}
