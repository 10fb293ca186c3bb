/**
 * End to end: durable messages per second through the writer with 1,
 * 10 and 100 concurrent senders (each keeping a window of sends in flight)
 * and the server's CPU time per durable message at each, p50/p99 send→ack
 * latency at 1,000 msg/s offered, and server RSS idle and with 10,000
 * connected, authenticated sockets. Rate limits are off on the
 * scratch server (framesPerSecond 0, socket caps raised); synchronous=FULL.
 *
 *   node dist/bench/throughput.js [--senders 1,10,100] [--window 64] [--seconds 10]
 *     [--latency-rate 1000] [--latency-senders 100] [--latency-seconds 15]
 *     [--connections 10000] [--workers N] [--cpu-prof] [--out DIR]
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readProfile, topFrames } from './lib/cpu-profile.js';
import { summarize } from './lib/histogram.js';
import { machineInfo } from './lib/machine.js';
import { cpuMicrosPer } from './lib/proc-sampler.js';
import { Progress } from './lib/progress.js';
import { DEFAULT_RESULTS_DIR } from './run.js';
import { Session, defaultWorkers } from './scenarios/session.js';
import { scratchRoost } from './target/scratch.js';

const { values: a } = parseArgs({
  options: {
    senders: { type: 'string', default: '1,10,100' },
    window: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '10' },
    'latency-rate': { type: 'string', default: '1000' },
    'latency-senders': { type: 'string', default: '100' },
    'latency-seconds': { type: 'string', default: '15' },
    connections: { type: 'string', default: '10000' },
    'body-bytes': { type: 'string', default: '64' },
    workers: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string' },
    skip: { type: 'string', default: '' },
  },
});
const senderSteps = (a.senders ?? '').split(',').map(Number).filter((n) => n > 0);
const windowSize = Number(a.window);
const seconds = Number(a.seconds);
const connections = Number(a.connections);
const bodyBytes = Number(a['body-bytes']);
const skip = new Set((a.skip ?? '').split(','));
const maxSenders = Math.max(...senderSteps, Number(a['latency-senders']));
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

const profDir = a['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'roost-prof-')) : null;
const target = await scratchRoost({
  connections: Math.max(connections, maxSenders),
  roomSize: 1,
  nodeArgs: profDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', profDir],
});
const progress = new Progress();
const figures: Record<string, number | string> = {};
let session: Session | null = null;
try {
  session = await Session.open(target, {
    workers: a.workers === undefined ? defaultWorkers() : Number(a.workers),
    connections: Math.max(connections, maxSenders), pingEveryMs: 30_000, connectTimeoutMs: 10_000, lifetimeMs: 20 * 60_000, progress,
  });
  const s = session;
  log(`machine: ${JSON.stringify(machineInfo(tmpdir()))}`);
  s.phase = 'idle';
  const idle = await s.watch(3000, 1000);
  figures['server RSS idle, MiB'] = Math.round((idle.rssBytes ?? 0) / 2 ** 20);
  log(`idle server RSS ${figures['server RSS idle, MiB']} MiB (load ${load()})`);
  await s.rampTo(maxSenders, 1000, 10_000);

  if (!skip.has('throughput')) {
    for (const n of senderSteps) {
      s.phase = `${n} senders`;
      const senders = Array.from({ length: n }, (_, i) => i);
      s.pool.load({ senders, mode: 'window', rate: 0, window: windowSize, durationMs: seconds * 1000, bodyBytes });
      // The first 2 s warm up (JIT, page cache); measure the rest.
      const from = await s.watch(2000, 1000);
      const to = await s.watch((seconds - 2) * 1000 - 200, 1000);
      const step = s.stepSince(from, to, s.ackTotal, s.deliveryTotal);
      await s.watch(10_000, 250, (x) => !x.stats.loadRunning && x.stats.sent === x.stats.acked + Object.values(x.stats.ackErrors).reduce((p, q) => p + q, 0));
      const errors = JSON.stringify(to.stats.ackErrors);
      const acked = to.stats.acked - from.stats.acked;
      const cost = {
        all: cpuMicrosPer(from.server.cpuSeconds, to.server.cpuSeconds, acked),
        main: cpuMicrosPer(from.server.mainThreadCpuSeconds, to.server.mainThreadCpuSeconds, acked),
      };
      figures[`durable msgs/s, ${n} senders × window ${windowSize}`] = Math.round(step.msgsPerSecond);
      figures[`server CPU µs per durable msg, ${n} senders (all threads / main thread)`] = `${cost.all ?? '-'} / ${cost.main ?? '-'}`;
      log(`${n} senders × ${windowSize} in flight: ${Math.round(step.msgsPerSecond)} durable msgs/s; server CPU ${step.cpuPercent?.toFixed(0)} % (waited ${step.cpuWaitMsPerSecond?.toFixed(0)} ms/s for a CPU), ${cost.all ?? '-'} µs per message (main thread ${cost.main ?? '-'}), client CPU ${step.clientCpuPercent?.toFixed(0)} %, loop lag p99 ${step.loopLagP99Ms?.toFixed(1)} ms, ack errors ${errors} (load ${load()})`);
    }
  }
  if (!skip.has('latency')) {
    const rate = Number(a['latency-rate']);
    const n = Number(a['latency-senders']);
    s.phase = `latency ${rate}/s`;
    s.ackTotal.reset();
    s.pool.load({ senders: Array.from({ length: n }, (_, i) => i), mode: 'rate', rate, window: 0, durationMs: Number(a['latency-seconds']) * 1000, bodyBytes });
    const from = s.last ?? (await s.sample());
    const to = await s.watch(Number(a['latency-seconds']) * 1000 + 2000, 1000);
    const ack = summarize(s.ackTotal);
    const step = s.stepSince(from, to, s.ackTotal, s.deliveryTotal);
    figures[`send→ack p50 ms at ${rate} msg/s`] = ack.p50Ms;
    figures[`send→ack p99 ms at ${rate} msg/s`] = ack.p99Ms;
    log(`${rate} msg/s offered over ${n} senders: ${ack.count} acks, send→ack p50 ${ack.p50Ms} ms, p90 ${ack.p90Ms} ms, p99 ${ack.p99Ms} ms, max ${ack.maxMs} ms; server CPU ${step.cpuPercent?.toFixed(0)} %, server threads waited ${step.cpuWaitMsPerSecond?.toFixed(0)} ms/s for a CPU, client CPU ${step.clientCpuPercent?.toFixed(0)} % (load ${load()})`);
  }
  if (!skip.has('rss')) {
    s.phase = `connect ${connections}`;
    await s.rampTo(connections, 2000, 10_000);
    const full = await s.watch(4000, 1000);
    figures[`connected sockets`] = full.stats.established;
    figures[`server RSS with ${full.stats.established} sockets, MiB`] = Math.round((full.rssBytes ?? 0) / 2 ** 20);
    log(`${full.stats.established} connected authenticated sockets (${full.stats.failed} failed ${JSON.stringify(full.stats.failReasons)}): server RSS ${figures[`server RSS with ${full.stats.established} sockets, MiB`]} MiB (load ${load()})`);
  }
  figures['stored messages'] = target.storedMessages() ?? -1;
} finally {
  progress.done();
  await session?.close();
  await target.close();
}
figures['load average at end'] = load();
if (profDir !== null) {
  for (const f of readdirSync(profDir).filter((x) => x.endsWith('.cpuprofile'))) {
    const { frames, totalSamples } = topFrames(readProfile(join(profDir, f)), 15);
    log(`\nCPU profile ${f} (${totalSamples} samples), top self time:`);
    for (const fr of frames) log(`  ${fr.selfPercent.toFixed(1).padStart(5)} %  ${fr.name}  ${fr.where}`);
  }
  rmSync(profDir, { recursive: true, force: true });
}
const dir = a.out ?? DEFAULT_RESULTS_DIR;
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-')}-throughput.json`);
writeFileSync(file, `${JSON.stringify({ command: `node dist/bench/throughput.js ${process.argv.slice(2).join(' ')}`, machine: machineInfo(tmpdir()), figures }, null, 2)}\n`);
log(`\n${JSON.stringify(figures, null, 2)}\nwritten to ${file}`);
