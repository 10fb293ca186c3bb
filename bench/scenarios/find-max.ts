/**
 * find-max: add connections in steps, put chat load on each, and stop at the
 * first step that breaks a rule (connect errors, p99 delivery, RSS, loop lag,
 * or the server's fd limit). The last step that passed is the number.
 */
import type { RunFigures, Step } from '../lib/result.js';
import { judgeStep, nextStep, type Ceiling, type StopLimits, type Verdict } from '../lib/stop-rules.js';
import { measureLoad, pickSenders } from './load-period.js';
import { classifyFailures, memoryFit } from './figures.js';
import type { Session } from './session.js';

export interface FindMaxParams {
  maxConnections: number;
  step: number;
  rate: number;
  roomSize: number;
  senders: number;
  msgRate: number;
  stepSeconds: number;
  bodyBytes: number;
  connectTimeoutMs: number;
  limits: StopLimits;
}

export async function runFindMax(s: Session, p: FindMaxParams): Promise<RunFigures & { ceiling: { rule: Ceiling; detail: string } }> {
  const steps: Step[] = [];
  let passed = 0;
  let current = 0;
  let verdict: Verdict = { pass: true, ceiling: 'none', detail: '' };
  for (let i = 0; i < 1000; i++) {
    const next = nextStep(current, p.step, p.maxConnections, s.target.serverFdCap);
    if ('stop' in next) {
      verdict = next.stop;
      break;
    }
    current = next.next;
    s.phase = `step ${current}`;
    const before = s.last ?? (await s.sample());
    await s.rampTo(current, p.rate, p.connectTimeoutMs);
    const senders = pickSenders(s.last?.stats.established ?? 0, p.roomSize, p.senders);
    const out = await measureLoad(s, senders, p.roomSize, { msgRate: p.msgRate, seconds: p.stepSeconds, bodyBytes: p.bodyBytes });
    const now = s.last ?? before;
    const attempted = current - (before.stats.established + before.stats.failed);
    const failed = now.stats.failed - before.stats.failed + (now.stats.dropped - before.stats.dropped);
    const lost = out.expected - out.delivered;
    verdict = judgeStep({
      attempted, established: now.stats.established, failed,
      deliveryP99Ms: out.step.delivery.count > 0 ? out.step.delivery.p99Ms : null,
      rssBytes: now.rssBytes, loopLagP99Ms: out.step.loopLagP99Ms, serverFdsLeft: null,
    }, p.limits);
    if (verdict.pass && lost > 0) verdict = { pass: false, ceiling: 'latency', detail: `${lost} deliveries missing after a 10 s drain` };
    if (!verdict.pass && verdict.ceiling === 'connect errors') {
      const why = classifyFailures(now.stats.failReasons, current, s.target.serverFdCap);
      verdict = { ...verdict, ceiling: why.rule === 'none' ? verdict.ceiling : why.rule, detail: `${verdict.detail}; ${why.detail}` };
    }
    steps.push({ ...out.step, connections: now.stats.established, pass: verdict.pass, note: verdict.pass ? '' : verdict.detail });
    if (!verdict.pass) break;
    passed = now.stats.established;
  }
  return {
    target: s.target.name,
    steps,
    memory: memoryFit(steps),
    ceiling: { rule: verdict.ceiling, detail: verdict.detail },
    figures: {
      'the number (last step that passed)': passed,
      'stopped by': verdict.ceiling,
      'why': verdict.detail,
      'step': p.step,
      'msg rate per step': p.msgRate,
    },
  };
}
