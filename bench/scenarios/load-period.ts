/**
 * One load period of the chat-like scenarios: senders picked over the full
 * rooms send at a total rate, then a bounded drain; figures cover just it.
 */
import type { Step } from '../lib/result.js';
import type { Session, Snapshot } from './session.js';

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

