/**
 * The harness's side of the load generators: forks them, splits the
 * connections among them, sends commands and adds their stats up.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { decode, newHistogram, type Histogram } from '../lib/histogram.js';
import type { ConnSpec, FromWorker, LoadCommand, LoadCounts, ToWorker, WorkerStats } from './protocol.js';

export interface PoolOptions {
  url: string;
  httpBase: string;
  syncHoldMs: number;
  localAddresses: string[];
  conns: ConnSpec[];
  workers: number;
  pingEveryMs: number;
  connectTimeoutMs: number;
  lifetimeMs: number;
}

/** The sum of every worker's stats; histograms are this interval's, merged. */
export interface PoolStats extends LoadCounts {
  ack: Histogram;
  delivery: Histogram;
  /** send→`/sync` delivery (Matrix clients). */
  sync: Histogram;
}

function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./load-worker${ext}`, import.meta.url);
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Splits items into n nearly equal consecutive parts. */
export function split<T>(items: readonly T[], n: number): T[][] {
  const parts: T[][] = [];
  const size = Math.ceil(items.length / Math.max(1, n));
  for (let i = 0; i < n; i++) parts.push(items.slice(i * size, (i + 1) * size));
  return parts;
}

interface Member { child: ChildProcess; conns: number; waiting: Array<(m: FromWorker) => void> }

export class WorkerPool {
  private constructor(private readonly members: Member[], readonly fdLimit: number | null) {}

  static async start(o: PoolOptions): Promise<WorkerPool> {
    const parts = split(o.conns, o.workers);
    const members: Member[] = [];
    let fdLimit: number | null = null;
    try {
      for (const [i, conns] of parts.entries()) {
        const child = fork(workerUrl(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
        const m: Member = { child, conns: conns.length, waiting: [] };
        members.push(m);
        child.on('message', (msg: FromWorker) => m.waiting.shift()?.(msg));
        const ready = await WorkerPool.ask(m, {
          type: 'init', url: o.url, httpBase: o.httpBase, syncHoldMs: o.syncHoldMs, conns, pingEveryMs: o.pingEveryMs, connectTimeoutMs: o.connectTimeoutMs,
          lifetimeMs: o.lifetimeMs,
          // Each worker takes every n-th address, so no two workers share a source port range.
          localAddresses: o.localAddresses.filter((_, j) => j % o.workers === i),
        }, 15_000);
        if (ready.type === 'ready' && ready.fdLimit !== null) fdLimit = Math.min(fdLimit ?? Infinity, ready.fdLimit);
      }
    } catch (err) {
      for (const m of members) m.child.kill('SIGKILL');
      throw err;
    }
    return new WorkerPool(members, fdLimit);
  }

  private static ask(m: Member, cmd: ToWorker, timeoutMs: number): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load worker ${m.child.pid ?? '?'} did not answer "${cmd.type}" within ${timeoutMs} ms`)), timeoutMs);
      m.waiting.push((msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      m.child.send(cmd);
    });
  }

  get size(): number {
    return this.members.length;
  }

  get pids(): number[] {
    return this.members.map((m) => m.child.pid ?? 0);
  }

  /** Opens the first `upTo` connections overall (in order), at `perSecond` overall. */
  connect(upTo: number, perSecond: number): void {
    let left = upTo;
    for (const m of this.members) {
      const mine = Math.min(m.conns, Math.max(0, left));
      left -= mine;
      const share = (perSecond * mine) / Math.max(1, upTo);
      m.child.send({ type: 'connect', upTo: mine, perSecond: Math.max(1, share) } satisfies ToWorker);
    }
  }

  /** Starts load; `senders` are global connection indexes, mapped to each worker's own. */
  load(cmd: Omit<LoadCommand, 'type' | 'senders' | 'rate'> & { senders: number[]; rate: number }): void {
    let offset = 0;
    const total = Math.max(1, cmd.senders.length);
    for (const m of this.members) {
      const mine = cmd.senders.filter((s) => s >= offset && s < offset + m.conns).map((s) => s - offset);
      offset += m.conns;
      const rate = (cmd.rate * mine.length) / total;
      m.child.send({ ...cmd, type: 'load', senders: mine, rate } satisfies ToWorker);
    }
  }

  async stats(): Promise<PoolStats> {
    const replies = await Promise.all(this.members.map((m) => WorkerPool.ask(m, { type: 'stats' }, 10_000)));
    const sum: PoolStats = {
      established: 0, connecting: 0, failed: 0, failReasons: {}, dropped: 0, dropCodes: {}, sent: 0, acked: 0,
      ackErrors: {}, delivered: 0, pongs: 0, skipped: 0, readsSent: 0, receiptFrames: 0,
      syncsAnswered: 0, syncsEmpty: 0, syncErrors: 0, syncTimeouts: 0, syncErrorReasons: {}, syncDelivered: 0,
      loadRunning: false, ack: newHistogram(), delivery: newHistogram(), sync: newHistogram(),
    };
    for (const r of replies) {
      if (r.type !== 'stats') continue;
      const s: WorkerStats = r;
      sum.established += s.established;
      sum.connecting += s.connecting;
      sum.failed += s.failed;
      sum.dropped += s.dropped;
      sum.sent += s.sent;
      sum.acked += s.acked;
      sum.delivered += s.delivered;
      sum.pongs += s.pongs;
      sum.skipped += s.skipped;
      sum.readsSent += s.readsSent;
      sum.receiptFrames += s.receiptFrames;
      sum.syncsAnswered += s.syncsAnswered;
      sum.syncsEmpty += s.syncsEmpty;
      sum.syncErrors += s.syncErrors;
      sum.syncTimeouts += s.syncTimeouts;
      sum.syncDelivered += s.syncDelivered;
      addCounts(sum.syncErrorReasons, s.syncErrorReasons);
      sum.loadRunning ||= s.loadRunning;
      addCounts(sum.failReasons, s.failReasons);
      addCounts(sum.dropCodes, s.dropCodes);
      addCounts(sum.ackErrors, s.ackErrors);
      sum.ack.add(decode(s.ackHist));
      sum.delivery.add(decode(s.deliveryHist));
      sum.sync.add(decode(s.syncHist));
    }
    return sum;
  }

  /** Asks every worker to close its connections and exit; kills any that do not within 5 s. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map(async (m) => {
      if (m.child.exitCode !== null || m.child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => m.child.once('exit', () => resolve()));
      try {
        if (m.child.connected) m.child.send({ type: 'stop' } satisfies ToWorker);
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => m.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }));
  }
}
