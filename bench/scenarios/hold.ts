/**
 * hold: ramp to N connections at R/s in four stages (so bytes per connection
 * come from a fitted line), then hold them for S seconds with the clients
 * pinging every 30 s; how many were established and how many survived.
 * With `sync`, each connection is a Matrix client holding a `/sync`
 * long-poll instead: the same fit, on a fresh server of the same users and
 * rooms, is how a held poll's bytes compare with a WebSocket's.
 */
import { newHistogram } from '../lib/histogram.js';
import type { RunFigures, Step } from '../lib/result.js';
import type { Ceiling } from '../lib/stop-rules.js';
import { classifyFailures, memoryFit } from './figures.js';
import type { Session, Snapshot } from './session.js';

/** Ramps are made in this many stages, RSS read settled after each: the points of the bytes fit. */
export const RAMP_STAGES = 4;

export interface HoldParams {
  connections: number;
  rate: number;
  holdSeconds: number;
  connectTimeoutMs: number;
  stages: number;
  /**
   * Wait after each stage before reading RSS. Handshakes leave garbage that
   * V8's memory reducer collects a few seconds after allocation calms down;
   * reading RSS before that counts garbage as cost per connection.
   */
  settleSeconds: number;
  /** Matrix clients holding `/sync` (established: initial sync answered) instead of WebSockets. */
  sync: boolean;
}

/**
 * The server's RSS (and V8 heap in use) once what was just opened has settled:
 * the lowest reading while settling, and where the server can be asked for a
 * full GC, the lowest over 2 s after it (or the settle, if shorter). `from`:
 * the snapshot that ends the settling.
 */
export async function settledRss(s: Session, settleSeconds: number): Promise<{ from: Snapshot; now: Snapshot; rssBytes: number | null; heapUsedBytes: number | null }> {
  let lowest: number | null = null;
  let heap: number | null = null;
  const seen = (x: Snapshot): void => {
    if (x.rssBytes !== null) lowest = Math.min(lowest ?? Infinity, x.rssBytes);
    if (x.heapUsedBytes !== null) heap = Math.min(heap ?? Infinity, x.heapUsedBytes);
  };
  const from = await s.watch(settleSeconds * 1000, 1000, seen);
  // The figure is what the connections keep, not the garbage their handshakes left:
  // where the server can be asked for a full GC, only readings after it count.
  if (s.target.collectGarbage !== undefined) {
    await s.target.collectGarbage();
    lowest = null;
    heap = null;
  }
  const now = await s.watch(Math.min(2000, settleSeconds * 1000), 1000, seen);
  return { from, now, rssBytes: lowest ?? now.rssBytes, heapUsedBytes: heap ?? now.heapUsedBytes };
}

export async function runHold(s: Session, p: HoldParams): Promise<RunFigures & { ceiling: { rule: Ceiling; detail: string } }> {
  const steps: Step[] = [];
  s.phase = 'idle';
  await s.target.collectGarbage?.();
  let from = await s.watch(Math.min(2000, p.settleSeconds * 1000), 1000);
  const idle = s.stepSince(from, from, newHistogram(), newHistogram());
  steps.push({ ...idle, note: 'idle' });
  for (let i = 1; i <= p.stages; i++) {
    const n = Math.round((p.connections * i) / p.stages);
    s.phase = `ramp ${n}`;
    await s.rampTo(n, p.rate, p.connectTimeoutMs);
    const settled = await settledRss(s, p.settleSeconds);
    from = settled.from;
    const now = settled.now;
    steps.push({ ...s.stepSince(from, now, newHistogram(), newHistogram()), rssBytes: settled.rssBytes, heapUsedBytes: settled.heapUsedBytes });
    if (now.stats.failed > 0 && now.stats.established < n * 0.5) break;
  }
  const afterRamp = s.last ?? (await s.sample());
  const established = afterRamp.stats.established;
  s.phase = `hold ${p.holdSeconds}s`;
  const start = afterRamp;
  const end = await s.watch(p.holdSeconds * 1000, 1000);
  const holdStep = s.stepSince(start, end, newHistogram(), newHistogram());
  steps.push({ ...holdStep, note: `end of ${p.holdSeconds} s hold` });
  const failures = classifyFailures(end.stats.failReasons, p.connections, s.target.serverFdCap);
  const dropped = end.stats.dropped - start.stats.dropped;
  const ceiling = dropped > 0
    ? { rule: 'connect errors' as Ceiling, detail: `${dropped} connections dropped during the hold (close codes ${JSON.stringify(end.stats.dropCodes)})` }
    : failures;
  return {
    target: s.target.name,
    steps,
    memory: memoryFit(steps.filter((x) => x.note !== `end of ${p.holdSeconds} s hold`)),
    ceiling,
    figures: {
      'held as': p.sync ? 'Matrix /sync long-polls' : 'WebSockets',
      'connections asked': p.connections,
      'established': established,
      'failed to connect': end.stats.failed,
      'dropped during hold': dropped,
      'survived the hold': end.stats.established,
      'WebSockets open at the server (its gauge)': end.serverSockets,
      'pongs received': p.sync ? 'none (no pings on /sync)' : end.stats.pongs,
      ...(p.sync ? { 'syncs answered empty (held to their timeout)': end.stats.syncsEmpty, 'sync errors': end.stats.syncErrors } : {}),
      'server RSS at full, MiB': end.rssBytes === null ? null : Math.round(end.rssBytes / 2 ** 20),
      'failure reasons': Object.keys(end.stats.failReasons).length === 0 ? 'none' : JSON.stringify(end.stats.failReasons),
    },
  };
}
