/**
 * chat --reads-compare N: N load phases on one server and one set of
 * connections, reads off and on in the order off, on, on, off, off, on, …
 * (each pair of phases mirrors the one before, so a box that drifts slower or
 * faster during the run weighs on both modes alike). A phase without reads
 * stops them as it starts; receipts still waiting from the phase before go
 * out in its first second, as they would for a client that stopped reading.
 *
 * Why not two runs: on this shared 2-core box, separate runs of the same code
 * with reads off read 11–20 % server CPU, more than reads cost. Phases of one
 * run share the box's state of the moment, and the same server and sockets.
 */
import { newHistogram, summarize, type Histogram } from '../lib/histogram.js';
import { measureLoad, type LoadOutcome } from './load-period.js';
import type { Session } from './session.js';

/** Reads on (true) or off for each phase: off, on, on, off, off, on, on, off, … */
export function phaseModes(phases: number): boolean[] {
  return Array.from({ length: phases }, (_, i) => ((i + 1) >> 1) % 2 === 1);
}

/** One mode's phases together. */
export interface ModeFigures {
  phases: number;
  /** Mean of the phases' server CPU % (each phase is as long as the others). */
  cpuPercent: number | null;
  /** Over every delivery of the mode's phases. */
  p99Ms: number;
}

export interface ReadsComparison {
  off: ModeFigures;
  on: ModeFigures;
  /** Every phase in order: mode, server CPU %, send→delivery p99. */
  phases: Array<{ reads: boolean; cpuPercent: number | null; p99Ms: number }>;
  /** The phases' counts summed; `step` is the last phase's. */
  total: LoadOutcome;
  ack: Histogram;
  delivery: Histogram;
}

export async function compareReads(
  s: Session, senders: number[], roomSize: number,
  p: { msgRate: number; seconds: number; bodyBytes: number; phases: number },
): Promise<ReadsComparison> {
  const delivery = { off: newHistogram(), on: newHistogram() };
  const cpu: { off: number[]; on: number[] } = { off: [], on: [] };
  const phases: ReadsComparison['phases'] = [];
  const ack = newHistogram();
  let total: LoadOutcome | null = null;
  for (const reads of phaseModes(p.phases)) {
    const mode = reads ? 'on' : 'off';
    s.phase = `chat ${p.msgRate}/s, reads ${mode} (${phases.length + 1}/${p.phases})`;
    const out = await measureLoad(s, senders, roomSize, { ...p, reads });
    delivery[mode].add(s.deliveryTotal);
    ack.add(s.ackTotal);
    if (out.step.cpuPercent !== null) cpu[mode].push(out.step.cpuPercent);
    phases.push({ reads, cpuPercent: out.step.cpuPercent, p99Ms: out.step.delivery.p99Ms });
    total = total === null ? out : add(total, out);
  }
  if (total === null) throw new Error('--reads-compare needs at least two phases');
  const figures = (mode: 'off' | 'on'): ModeFigures => ({
    phases: phases.filter((x) => x.reads === (mode === 'on')).length,
    cpuPercent: cpu[mode].length === 0 ? null : cpu[mode].reduce((a, b) => a + b, 0) / cpu[mode].length,
    p99Ms: summarize(delivery[mode]).p99Ms,
  });
  const all = newHistogram();
  all.add(delivery.off);
  all.add(delivery.on);
  return { off: figures('off'), on: figures('on'), phases, total, ack, delivery: all };
}

function add(a: LoadOutcome, b: LoadOutcome): LoadOutcome {
  const ackErrors = { ...a.ackErrors };
  for (const [k, v] of Object.entries(b.ackErrors)) ackErrors[k] = (ackErrors[k] ?? 0) + v;
  return {
    step: b.step, sent: a.sent + b.sent, acked: a.acked + b.acked, delivered: a.delivered + b.delivered, expected: a.expected + b.expected,
    skipped: a.skipped + b.skipped, ackErrors, seconds: a.seconds + b.seconds, readsSent: a.readsSent + b.readsSent, receiptFrames: a.receiptFrames + b.receiptFrames,
  };
}

/** The comparison's figures for the result file and the printed summary. */
export function comparisonFigures(c: ReadsComparison): Record<string, string | number | null> {
  const ratio = (on: number | null, off: number | null): number | null => on === null || off === null || off <= 0 ? null : Math.round((on / off) * 100) / 100;
  const pct = (x: number | null): string => (x === null ? '-' : x.toFixed(1));
  return {
    'reads compare: phases (reads, server CPU %, send→delivery p99 ms)': c.phases.map((x) => `${x.reads ? 'on' : 'off'} ${pct(x.cpuPercent)} % ${x.p99Ms}`).join('; '),
    'reads compare: server CPU % off / on (mean of phases)': `${pct(c.off.cpuPercent)} / ${pct(c.on.cpuPercent)}`,
    'reads compare: server CPU on ÷ off': ratio(c.on.cpuPercent, c.off.cpuPercent),
    'reads compare: send→delivery p99 ms off / on (all phases)': `${c.off.p99Ms} / ${c.on.p99Ms}`,
    'reads compare: send→delivery p99 on ÷ off': ratio(c.on.p99Ms, c.off.p99Ms),
  };
}
