/**
 * chat: N connections in rooms of K; M senders send at a total rate; send→ack
 * and send→delivery latency, delivered vs expected, durable messages/s.
 */
import { summarize } from '../lib/histogram.js';
import type { RunFigures, Step } from '../lib/result.js';
import type { Ceiling } from '../lib/stop-rules.js';
import { classifyFailures, memoryFit } from './figures.js';
import type { Session, Snapshot } from './session.js';

export interface ChatParams {
  connections: number;
  rate: number;
  roomSize: number;
  senders: number;
  msgRate: number;
  seconds: number;
  bodyBytes: number;
  connectTimeoutMs: number;
  /** Caps the quiet readings before and after each ramp stage (1.5 s and 1 s at most). */
  settleSeconds: number;
  /** Every receiving connection sends `read` for what it saw (at most once a second, as the web client does). */
  reads?: boolean;
}

/**
 * Senders spread over the rooms whose every member is connected (the first
 * `connected` connections fill rooms in order), round-robin, one per member
 * slot: with R full rooms, sender j is member ⌊j/R⌋ of room j mod R.
 */
export function pickSenders(connected: number, roomSize: number, senders: number): number[] {
  const fullRooms = Math.floor(connected / roomSize);
  const n = Math.min(senders, fullRooms * roomSize);
  const out: number[] = [];
  for (let j = 0; j < n; j++) out.push((j % fullRooms) * roomSize + Math.floor(j / fullRooms));
  return out;
}

export interface LoadOutcome {
  step: Step; sent: number; acked: number; delivered: number; expected: number; skipped: number; ackErrors: Record<string, number>; seconds: number;
  readsSent: number; receiptFrames: number;
}

/** Runs one load period and its drain; figures cover just this period. */
export async function measureLoad(s: Session, senders: number[], roomSize: number, p: { msgRate: number; seconds: number; bodyBytes: number; reads?: boolean }): Promise<LoadOutcome> {
  const from: Snapshot = s.last ?? (await s.sample());
  s.ackTotal.reset();
  s.deliveryTotal.reset();
  s.pool.load({ senders, mode: 'rate', rate: p.msgRate, window: 0, durationMs: p.seconds * 1000, bodyBytes: p.bodyBytes, reads: p.reads });
  const loaded = await s.watch(p.seconds * 1000 + 500, 1000);
  // Drain: wait (bounded) for acks and deliveries still in flight.
  const done = await s.watch(10_000, 250, (x) => !x.stats.loadRunning && x.stats.acked + sumErrors(x) - (from.stats.acked + sumErrors(from)) >= x.stats.sent - from.stats.sent
    && x.stats.delivered - from.stats.delivered >= (x.stats.acked - from.stats.acked) * roomSize);
  const acked = done.stats.acked - from.stats.acked;
  const step = s.stepSince(from, loaded, s.ackTotal, s.deliveryTotal);
  return {
    step: { ...step, msgsPerSecond: acked / p.seconds },
    sent: done.stats.sent - from.stats.sent,
    acked,
    delivered: done.stats.delivered - from.stats.delivered,
    expected: acked * roomSize,
    skipped: done.stats.skipped - from.stats.skipped,
    ackErrors: diff(done.stats.ackErrors, from.stats.ackErrors),
    seconds: p.seconds,
    readsSent: done.stats.readsSent - from.stats.readsSent,
    receiptFrames: done.stats.receiptFrames - from.stats.receiptFrames,
  };
}

function sumErrors(x: Snapshot): number {
  return Object.entries(x.stats.ackErrors).filter(([k]) => !k.startsWith('unsolicited_')).reduce((a, [, v]) => a + v, 0);
}

function diff(now: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(now)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

export async function runChat(s: Session, p: ChatParams): Promise<RunFigures & { ceiling: { rule: Ceiling; detail: string } }> {
  const steps: Step[] = [];
  const quietMs = Math.min(1500, p.settleSeconds * 1000);
  s.phase = 'idle';
  const idleFrom = await s.watch(quietMs, 1000);
  steps.push({ ...s.stepSince(idleFrom, idleFrom, s.ackTotal, s.deliveryTotal), note: 'idle' });
  for (const share of [0.5, 1]) {
    const n = Math.round(p.connections * share);
    s.phase = `ramp ${n}`;
    await s.rampTo(n, p.rate, p.connectTimeoutMs);
    const from = await s.watch(quietMs, 1000);
    const now = await s.watch(Math.min(1000, quietMs), 1000);
    s.ackTotal.reset();
    s.deliveryTotal.reset();
    steps.push(s.stepSince(from, now, s.ackTotal, s.deliveryTotal));
  }
  const connected = s.last?.stats.established ?? 0;
  const senders = pickSenders(connected, p.roomSize, p.senders);
  s.phase = `chat ${p.msgRate}/s`;
  const out = await measureLoad(s, senders, p.roomSize, p);
  steps.push({ ...out.step, note: `${p.msgRate} msg/s offered` });
  const stored = s.target.storedMessages();
  const lost = out.expected - out.delivered;
  const ack = summarize(s.ackTotal);
  const del = summarize(s.deliveryTotal);
  const failures = classifyFailures(s.last?.stats.failReasons ?? {}, p.connections, s.target.serverFdCap);
  return {
    target: s.target.name,
    steps,
    memory: memoryFit(steps.filter((x) => x.note === undefined || x.note === 'idle')),
    ceiling: failures.rule !== 'none' ? failures
      : lost > 0 ? { rule: 'latency', detail: `${lost} deliveries missing after a 10 s drain` }
        : { rule: 'none', detail: 'every message acked and delivered' },
    figures: {
      'connections': connected,
      'senders': senders.length,
      'offered msgs/s': p.msgRate,
      'sent': out.sent,
      'acked (durable)': out.acked,
      'durable msgs/s': Math.round(out.acked / out.seconds),
      'ack errors': Object.keys(out.ackErrors).length === 0 ? 'none' : JSON.stringify(out.ackErrors),
      'not sent (client backlog)': out.skipped,
      'send→ack p50 / p90 / p99 / max ms': `${ack.p50Ms} / ${ack.p90Ms} / ${ack.p99Ms} / ${ack.maxMs}`,
      'send→delivery p50 / p90 / p99 / max ms': `${del.p50Ms} / ${del.p90Ms} / ${del.p99Ms} / ${del.maxMs}`,
      'send→delivery p99 ms': del.p99Ms,
      'reads': p.reads === true ? 'on' : 'off',
      'read frames sent': out.readsSent,
      'receipt frames received': out.receiptFrames,
      'server CPU % (load period)': out.step.cpuPercent,
      'delivered': out.delivered,
      'expected deliveries': out.expected,
      'lost': lost,
      'messages stored (scratch database)': stored,
    },
  };
}
