/**
 * chat: N connections in rooms of K; M senders send at a total rate; send→ack
 * and send→delivery latency, delivered vs expected, durable messages/s.
 */
import { summarize } from '../lib/histogram.js';
import type { RunFigures, Step } from '../lib/result.js';
import type { Ceiling } from '../lib/stop-rules.js';
import { classifyFailures, memoryFit } from './figures.js';
import { measureLoad, pickSenders, type LoadOutcome } from './load-period.js';
import { compareReads, comparisonFigures } from './reads-compare.js';
import type { Session } from './session.js';

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
  /** Instead of one load period: this many, reads off and on alternately (see reads-compare.ts). */
  readsCompare?: number;
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
  const compared = p.readsCompare === undefined ? null : await compareReads(s, senders, p.roomSize, { ...p, phases: p.readsCompare });
  const out: LoadOutcome = compared?.total ?? await measureLoad(s, senders, p.roomSize, p);
  steps.push({ ...out.step, note: `${p.msgRate} msg/s offered` });
  const stored = s.target.storedMessages();
  const lost = out.expected - out.delivered;
  const ack = summarize(compared?.ack ?? s.ackTotal);
  const del = summarize(compared?.delivery ?? s.deliveryTotal);
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
      'reads': compared !== null ? 'off and on, alternately' : p.reads === true ? 'on' : 'off',
      'read frames sent': out.readsSent,
      'receipt frames received': out.receiptFrames,
      'server CPU % (load period)': compared === null ? out.step.cpuPercent : null,
      ...(compared === null ? {} : comparisonFigures(compared)),
      'delivered': out.delivered,
      'expected deliveries': out.expected,
      'lost': lost,
      'messages stored (scratch database)': stored,
    },
  };
}
