/**
 * One measured run against one target: the load-generator pool plus the
 * sampling of both sides. Every wait here is bounded in time.
 */
import { cpus } from 'node:os';
import { fdLimitOf } from '../lib/fd-limit.js';
import { newHistogram, summarize, type Histogram } from '../lib/histogram.js';
import { scrapeMetrics } from '../lib/metrics-scrape.js';
import { cpuPercent, cpuWaitMsPerSecond, sampleProc, type ProcSample } from '../lib/proc-sampler.js';
import type { Progress } from '../lib/progress.js';
import type { Step } from '../lib/result.js';
import { sourceAddresses } from '../lib/addresses.js';
import type { Target } from '../target/target.js';
import type { ConnSpec } from '../worker/protocol.js';
import { WorkerPool, type PoolStats } from '../worker/pool.js';

/** Descriptors a load generator keeps for itself (IPC, stdio, Node internals). */
export const CLIENT_FD_MARGIN = 100;

export interface SessionOptions {
  workers: number;
  connections: number;
  pingEveryMs: number;
  connectTimeoutMs: number;
  lifetimeMs: number;
  progress: Progress;
  /** The clients to open, in order (default: the target's first `connections`). */
  conns?: ConnSpec[];
  /** `timeout` of Matrix clients' `/sync` long-polls (default 30 s). */
  syncHoldMs?: number;
}

export interface Snapshot {
  stats: PoolStats;
  server: ProcSample;
  clients: ProcSample[];
  lagP99Ms: number | null;
  rssBytes: number | null;
  /** WebSockets open at the server, by its own gauge (null: no /metrics). */
  serverSockets: number | null;
  /** V8's heap in use at the server, by its own gauge (null: no /metrics). */
  heapUsedBytes: number | null;
  msgsPerSecond: number;
}

/** How many load generators `connections` need under a per-process limit: at least `wanted`. */
export function workersNeeded(connections: number, wanted: number, perProcessFds: number | null): number {
  const cap = perProcessFds === null ? Infinity : Math.max(1, perProcessFds - CLIENT_FD_MARGIN);
  return Math.max(1, wanted, Math.ceil(connections / cap));
}

export function defaultWorkers(): number {
  return Math.max(1, cpus().length - 1);
}

export class Session {
  readonly ackTotal: Histogram = newHistogram();
  readonly deliveryTotal: Histogram = newHistogram();
  readonly syncTotal: Histogram = newHistogram();
  last: Snapshot | null = null;
  private prevAcked = 0;
  private prevAt = Date.now();
  phase = 'start';

  private constructor(readonly target: Target, readonly pool: WorkerPool, readonly opts: SessionOptions) {}

  static async open(target: Target, o: SessionOptions): Promise<Session> {
    const host = new URL(target.wsUrl).hostname;
    const pool = await WorkerPool.start({
      url: target.wsUrl,
      httpBase: target.httpBase,
      syncHoldMs: o.syncHoldMs ?? 30_000,
      localAddresses: sourceAddresses(host),
      conns: o.conns ?? target.conns.slice(0, o.connections),
      workers: workersNeeded(o.connections, o.workers, fdLimitOf('self')?.hard ?? null),
      pingEveryMs: o.pingEveryMs,
      connectTimeoutMs: o.connectTimeoutMs,
      lifetimeMs: o.lifetimeMs,
    });
    const s = new Session(target, pool, o);
    await s.sample();
    return s;
  }

  /** Polls every load generator and both sides' /proc; histograms of the interval are folded into the totals. */
  async sample(): Promise<Snapshot> {
    const [stats, gauges] = await Promise.all([this.pool.stats(), scrapeMetrics(this.target.httpBase, this.target.adminToken)]);
    const server = sampleProc(this.target.pid);
    const clients = this.pool.pids.map((p) => sampleProc(p));
    this.ackTotal.add(stats.ack);
    this.deliveryTotal.add(stats.delivery);
    this.syncTotal.add(stats.sync);
    const now = Date.now();
    const msgsPerSecond = now > this.prevAt ? ((stats.acked - this.prevAcked) * 1000) / (now - this.prevAt) : 0;
    const snap: Snapshot = {
      stats, server, clients, lagP99Ms: gauges?.loopLagP99Ms ?? null,
      rssBytes: server.rssBytes ?? gauges?.rssBytes ?? null, serverSockets: gauges?.connections ?? null, heapUsedBytes: gauges?.heapUsedBytes ?? null, msgsPerSecond,
    };
    this.prevAcked = stats.acked;
    this.prevAt = now;
    this.last = snap;
    this.opts.progress.update({
      phase: this.phase, connections: stats.established, target: this.opts.connections, msgsPerSecond,
      p99Ms: stats.delivery.totalCount > 0 ? summarize(stats.delivery).p99Ms : stats.ack.totalCount > 0 ? summarize(stats.ack).p99Ms : null,
      rssBytes: snap.rssBytes, lagMs: snap.lagP99Ms,
    });
    return snap;
  }

  /** A step row from the interval since `from` (a snapshot taken earlier). */
  stepSince(from: Snapshot, now: Snapshot, ack: Histogram, delivery: Histogram): Step {
    const seconds = Math.max(0.001, (now.server.at - from.server.at) / 1000);
    const clientCpu = now.clients.reduce((sum, c, i) => {
      const before = from.clients[i];
      const p = before === undefined ? null : cpuPercent(before, c);
      return p === null ? sum : (sum ?? 0) + p;
    }, null as number | null);
    const kernel = now.server.tcpMemBytes === null && now.server.socketSlabBytes === null ? null : (now.server.tcpMemBytes ?? 0) + (now.server.socketSlabBytes ?? 0);
    return {
      connections: now.stats.established,
      attempted: now.stats.established + now.stats.failed + now.stats.dropped,
      failed: now.stats.failed,
      rssBytes: now.rssBytes,
      heapUsedBytes: now.heapUsedBytes,
      kernelBytes: kernel,
      cpuPercent: cpuPercent(from.server, now.server),
      cpuWaitMsPerSecond: cpuWaitMsPerSecond(from.server, now.server),
      clientCpuPercent: clientCpu,
      loopLagP99Ms: now.lagP99Ms,
      msgsPerSecond: (now.stats.acked - from.stats.acked) / seconds,
      ack: summarize(ack),
      delivery: summarize(delivery),
    };
  }

  /** Samples every `everyMs` for `ms`, calling `each` on every snapshot; stops early when `until` says so. */
  async watch(ms: number, everyMs: number, each?: (s: Snapshot) => boolean | void): Promise<Snapshot> {
    const end = Date.now() + ms;
    let snap = this.last ?? (await this.sample());
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(0, end - Date.now()))));
      snap = await this.sample();
      if (each?.(snap) === true) break;
    }
    return snap;
  }

  /** Opens connections up to `n` at `perSecond` and waits until each has opened or failed (bounded). */
  async rampTo(n: number, perSecond: number, connectTimeoutMs: number): Promise<Snapshot> {
    this.pool.connect(n, perSecond);
    const budget = (n / Math.max(1, perSecond)) * 1000 * 2 + connectTimeoutMs + 5000;
    return this.watch(budget, 500, (s) => s.stats.established + s.stats.failed + s.stats.dropped >= n && s.stats.connecting === 0);
  }

  async close(): Promise<void> {
    await this.pool.stop();
  }
}
