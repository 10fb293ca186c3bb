/**
 * matrix: N Matrix clients, each holding a `/sync` long-poll (one keep-alive
 * HTTP connection each, re-polling the moment an answer comes) in rooms of K,
 * while one native WebSocket sender per room sends M messages/s in total.
 * Reports send→`/sync` delivery latency, the server's bytes per held `/sync`
 * (a line fitted through the RSS after each of four stages of clients, as the
 * hold scenario fits a WebSocket's), and how the polls went. The WebSocket
 * the bytes are compared with is measured by `runBench` (run.ts) on a fresh
 * server of the same users.
 */
import { summarize, type LatencySummary } from '../lib/histogram.js';
import type { MemoryFit, RunFigures, Step } from '../lib/result.js';
import { cpuMicrosPer } from '../lib/proc-sampler.js';
import type { Ceiling } from '../lib/stop-rules.js';
import type { ConnSpec } from '../worker/protocol.js';
import { measureLoad, type LoadOutcome } from './load-period.js';
import { classifyFailures, memoryFit } from './figures.js';
import { RAMP_STAGES, settledRss } from './hold.js';
import { MIN_R2 } from '../lib/projection-caps.js';
import type { Session, Snapshot } from './session.js';

export interface MatrixParams {
  connections: number;
  rate: number;
  roomSize: number;
  msgRate: number;
  seconds: number;
  bodyBytes: number;
  connectTimeoutMs: number;
  settleSeconds: number;
  /**
   * Seconds of the same load before the measured one (and `settleSeconds`
   * of quiet between them), reported apart: the server's incremental `/sync`
   * path first runs when the load starts, and its first second (code not yet
   * optimised, every poll woken at once) is not what a server that has been
   * running answers.
   */
  warmupSeconds: number;
}

/** What the brief for this door asks: p99 send→`/sync` under 100 ms, a held `/sync` at most twice a WebSocket's bytes. */
export const MATRIX_P99_TARGET_MS = 100;
export const MATRIX_BYTES_TARGET_RATIO = 2;

/**
 * The clients in the order they are opened: one WebSocket sender per full
 * room (its first member), then every user as a `/sync` client. `users`: one
 * spec per user, in room order, rooms of roomSize.
 */
export function matrixConns(users: readonly ConnSpec[], roomSize: number): { conns: ConnSpec[]; senders: number } {
  const senders: ConnSpec[] = [];
  for (let i = 0; i + roomSize <= users.length; i += roomSize) {
    const first = users[i];
    if (first !== undefined) senders.push(first);
  }
  return { conns: [...senders, ...users.map((u) => ({ ...u, sync: true as const }))], senders: senders.length };
}

/**
 * A held `/sync`'s bytes against a WebSocket's, both fitted lines on a server
 * that had carried no load yet. `ws` null: not measured, for `why`. A line
 * that does not rise, or fits its points worse than the projection's
 * threshold (`MIN_R2`), gives no verdict either way: one reading held high by
 * something transient read −3,682 B per poll once, and "passed".
 */
export function bytesComparison(held: MemoryFit | null, ws: MemoryFit | null, why: string): Record<string, string | number | null> {
  const ratio = held === null || ws === null || ws.userBytesPerConn <= 0 ? null : Math.round((held.userBytesPerConn / ws.userBytesPerConn) * 100) / 100;
  const loose: string[] = [];
  for (const [name, m] of [['/sync', held], ['WebSocket', ws]] as const) if (m !== null && (m.userBytesPerConn <= 0 || m.r2 < MIN_R2)) loose.push(`${name} r² ${m.r2.toFixed(3)}`);
  const fit = (m: MemoryFit | null): string => (m === null ? 'not measured' : `${m.userBytesPerConn} (r² ${m.r2.toFixed(3)}, ${m.points} points)`);
  return {
    'bytes per held /sync (fit)': held?.userBytesPerConn ?? null,
    'bytes per WebSocket (fit, fresh server, same users and rooms)': ws?.userBytesPerConn ?? null,
    'bytes fits: /sync ; WebSocket': `${fit(held)} ; ${ws === null ? `not measured: ${why}` : fit(ws)}`,
    'V8 heap bytes (fit): per held /sync ; per WebSocket': `${held?.heapBytesPerConn ?? '–'} ; ${ws?.heapBytesPerConn ?? '–'}`,
    '/sync : WebSocket bytes': ratio,
    [`bytes target (≤ ${MATRIX_BYTES_TARGET_RATIO}× WebSocket)`]: held === null || ws === null ? 'not measured'
      : loose.length > 0 ? `unreadable: ${loose.join(', ')} (a verdict needs lines that rise with r² ≥ ${MIN_R2})`
        : ratio !== null && ratio <= MATRIX_BYTES_TARGET_RATIO ? 'pass' : 'missed',
  };
}

export async function runMatrix(s: Session, p: MatrixParams & { senders: number }): Promise<RunFigures & { ceiling: { rule: Ceiling; detail: string }; heldFit: MemoryFit | null }> {
  const steps: Step[] = [];
  const R = p.senders;
  const N = p.connections;
  s.phase = `senders ${R}`;
  await s.rampTo(R, p.rate, p.connectTimeoutMs);
  const idle = await settledRss(s, p.settleSeconds);
  steps.push({ ...s.stepSince(idle.from, idle.now, s.ackTotal, s.deliveryTotal), rssBytes: idle.rssBytes, note: `${R} WebSocket senders, no /sync held` });
  const sendersUp = idle.now.stats.established;

  const stages: Step[] = [];
  let held = idle;
  for (let i = 1; i <= RAMP_STAGES; i++) {
    const n = Math.round((N * i) / RAMP_STAGES);
    s.phase = `/sync ${n}`;
    await s.rampTo(R + n, p.rate, p.connectTimeoutMs);
    held = await settledRss(s, p.settleSeconds);
    stages.push({ ...s.stepSince(held.from, held.now, s.ackTotal, s.deliveryTotal), rssBytes: held.rssBytes, heapUsedBytes: held.heapUsedBytes, note: `${held.now.stats.established - sendersUp} /sync held` });
  }
  steps.push(...stages);
  const syncHeld = held.now.stats.established - sendersUp;
  const heldFit = memoryFit(stages);

  // Only the sender's own WebSocket is in its room on the native side: one delivery per message there.
  const senders = Array.from({ length: Math.min(R, sendersUp) }, (_, i) => i);
  // Deliveries can be counted against a figure only when every member holds a /sync (which
  // clients failed to start is not known here); otherwise the drain takes its full 10 s.
  const everyoneHeld = syncHeld === N;
  /** Sends `seconds` of load and waits (bounded) for its /sync deliveries. */
  const load = async (seconds: number): Promise<{ out: LoadOutcome; delivered: number; drained: Snapshot; before: Snapshot }> => {
    const before = s.last ?? (await s.sample());
    s.syncTotal.reset();
    const out = await measureLoad(s, senders, 1, { ...p, seconds });
    const drained = await s.watch(10_000, 250, (x) => everyoneHeld && x.stats.syncDelivered - before.stats.syncDelivered >= out.acked * p.roomSize);
    return { out, delivered: drained.stats.syncDelivered - before.stats.syncDelivered, drained, before };
  };
  let warm: { latency: LatencySummary; acked: number } | null = null;
  if (p.warmupSeconds > 0) {
    s.phase = `warm-up ${p.msgRate}/s`;
    const w = await load(p.warmupSeconds);
    warm = { latency: summarize(s.syncTotal), acked: w.out.acked };
    // A quiet spell, as after each ramp stage: what a poll's first answer after a lull costs is measured too.
    await s.watch(p.settleSeconds * 1000, 1000);
  }
  s.phase = `matrix ${p.msgRate}/s`;
  const { out, delivered, drained, before } = await load(p.seconds);
  const expected = out.acked * p.roomSize;
  const latency = summarize(s.syncTotal);
  steps.push({ ...out.step, delivery: latency, note: `${p.msgRate} msg/s offered, delivery = send→/sync` });

  const end = s.last ?? drained;
  const lost = everyoneHeld ? expected - delivered : null;
  const failures = classifyFailures(end.stats.failReasons, R + N, s.target.serverFdCap);
  const ack = summarize(s.ackTotal);
  const mib = (b: number | null): number | null => (b === null ? null : Math.round((b / 2 ** 20) * 10) / 10);
  return {
    target: s.target.name,
    steps,
    memory: null,
    heldFit,
    ceiling: failures.rule !== 'none' ? failures
      : lost !== null && lost > 0 ? { rule: 'latency', detail: `${lost} /sync deliveries missing after a 10 s drain` }
        : { rule: 'none', detail: 'every acked message reached every member\'s /sync' },
    figures: {
      '/sync clients held': syncHeld,
      'WebSocket senders (one per room)': sendersUp,
      'offered msgs/s': p.msgRate,
      'sent': out.sent,
      'acked (durable)': out.acked,
      'durable msgs/s': Math.round(out.acked / out.seconds),
      'ack errors': Object.keys(out.ackErrors).length === 0 ? 'none' : JSON.stringify(out.ackErrors),
      'send→ack p50 / p99 ms': `${ack.p50Ms} / ${ack.p99Ms}`,
      'send→/sync delivery p50 / p90 / p99 / max ms': `${latency.p50Ms} / ${latency.p90Ms} / ${latency.p99Ms} / ${latency.maxMs}`,
      'send→/sync delivery p50 ms': latency.p50Ms,
      'send→/sync delivery p99 ms': latency.p99Ms,
      'warm-up before it: seconds, send→/sync p50 / p99 / max ms': warm === null ? 'none'
        : `${p.warmupSeconds} s, ${warm.latency.p50Ms} / ${warm.latency.p99Ms} / ${warm.latency.maxMs}`,
      'acked in the warm-up': warm?.acked ?? 0,
      [`p99 target (< ${MATRIX_P99_TARGET_MS} ms)`]: latency.count === 0 ? 'not measured' : latency.p99Ms < MATRIX_P99_TARGET_MS ? 'pass' : 'missed',
      'delivered via /sync': delivered,
      'expected /sync deliveries': everyoneHeld ? expected : null,
      'lost': lost,
      'syncs answered': drained.stats.syncsAnswered,
      'syncs answered empty (held to their timeout)': drained.stats.syncsEmpty,
      'sync errors': end.stats.syncErrors,
      'sync timeouts (client gave up)': end.stats.syncTimeouts,
      'sync error reasons': Object.keys(end.stats.syncErrorReasons).length === 0 ? 'none' : JSON.stringify(end.stats.syncErrorReasons),
      'server CPU % (load period)': out.step.cpuPercent,
      'server main thread CPU µs per /sync delivery (load and drain)': cpuMicrosPer(before.server.mainThreadCpuSeconds, drained.server.mainThreadCpuSeconds, delivered),
      'server RSS idle / with /sync held, MiB': `${mib(idle.rssBytes)} / ${mib(held.rssBytes)}`,
      'bytes per held /sync (RSS difference over all of them)': syncHeld > 0 && held.rssBytes !== null && idle.rssBytes !== null ? Math.round((held.rssBytes - idle.rssBytes) / syncHeld) : null,
      'messages stored (scratch database)': s.target.storedMessages(),
    },
  };
}

