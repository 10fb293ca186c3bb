/**
 * wear: bytes the server writes to storage per message at a few steady
 * rates (1, 10, 100, 1,000 msg/s by default), from /proc/<pid>/io, and the
 * years a card lasts at that daily volume.
 */
import { DEFAULT_ENDURANCE_BYTES, ENDURANCE_SOURCE, dailyBytes, yearsToEndurance } from '../lib/endurance.js';
import { sampleIo } from '../lib/proc-io.js';
import type { RunFigures, Step } from '../lib/result.js';
import type { Ceiling } from '../lib/stop-rules.js';
import { measureLoad, pickSenders } from './load-period.js';
import type { Session } from './session.js';

export interface WearParams {
  connections: number;
  rate: number;
  roomSize: number;
  senders: number;
  bodyBytes: number;
  connectTimeoutMs: number;
  rates: number[];
  /** Seconds of sending at each rate; null: secondsFor's defaults. */
  seconds: number | null;
  enduranceBytes: number;
}

export const DEFAULT_WEAR_RATES = [1, 10, 100, 1000];

/** Enough messages to mean something at low rates (60 at 1 msg/s), short at high ones. */
export function secondsFor(rate: number): number {
  return rate <= 1 ? 60 : rate <= 10 ? 30 : 10;
}

export interface WearRow { msgsPerSecond: number; seconds: number; acked: number; writeBytes: number; bytesPerMessage: number | null; bytesPerDay: number | null; years: number | null }

export function wearRow(rate: number, seconds: number, acked: number, writeBytes: number, enduranceBytes: number): WearRow {
  const bytesPerMessage = acked > 0 ? writeBytes / acked : null;
  const perDay = bytesPerMessage === null ? null : dailyBytes(bytesPerMessage, rate);
  return { msgsPerSecond: rate, seconds, acked, writeBytes, bytesPerMessage, bytesPerDay: perDay, years: perDay === null ? null : yearsToEndurance(enduranceBytes, perDay) };
}

export async function runWear(s: Session, p: WearParams): Promise<RunFigures & { ceiling: { rule: Ceiling; detail: string }; wear: WearRow[] }> {
  const pid = s.target.pid;
  if (pid === null || sampleIo(pid) === null) {
    return { target: s.target.name, steps: [], memory: null, figures: {}, wear: [], ceiling: { rule: 'none', detail: 'the server\'s /proc/<pid>/io is not readable here: wear needs a server on this machine' } };
  }
  s.phase = 'ramp';
  await s.rampTo(p.connections, p.rate, p.connectTimeoutMs);
  const connected = s.last?.stats.established ?? 0;
  const senders = pickSenders(connected, p.roomSize, p.senders);
  const steps: Step[] = [];
  const rows: WearRow[] = [];
  for (const rate of p.rates) {
    const seconds = p.seconds ?? secondsFor(rate);
    s.phase = `wear ${rate} msg/s`;
    const before = sampleIo(pid);
    const out = await measureLoad(s, senders, p.roomSize, { msgRate: rate, seconds, bodyBytes: p.bodyBytes });
    const after = sampleIo(pid);
    const written = before === null || after === null ? 0 : after.writeBytes - before.writeBytes;
    rows.push(wearRow(rate, seconds, out.acked, written, p.enduranceBytes));
    steps.push({ ...out.step, note: `${rate} msg/s offered` });
  }
  const figures: Record<string, number | string | null> = { 'endurance assumed (bytes)': p.enduranceBytes, 'endurance source': p.enduranceBytes === DEFAULT_ENDURANCE_BYTES ? ENDURANCE_SOURCE : 'given with --endurance-tb' };
  for (const r of rows) {
    figures[`bytes written per message at ${r.msgsPerSecond} msg/s`] = r.bytesPerMessage === null ? null : Math.round(r.bytesPerMessage);
    figures[`years to endurance at ${r.msgsPerSecond} msg/s all day`] = r.years === null ? null : Math.round(r.years * 10) / 10;
  }
  const missing = rows.filter((r) => r.acked === 0).map((r) => r.msgsPerSecond);
  return {
    target: s.target.name, steps, memory: null, figures, wear: rows,
    ceiling: missing.length > 0 ? { rule: 'latency', detail: `no message acked at ${missing.join(', ')} msg/s` } : { rule: 'none', detail: 'every rate measured' },
  };
}
