/**
 * find-max's stop rules: a step passes only if every rule holds. The first
 * rule that trips names the ceiling this box hit.
 */
export interface StepFigures {
  attempted: number;
  established: number;
  failed: number;
  deliveryP99Ms: number | null;
  rssBytes: number | null;
  loopLagP99Ms: number | null;
  /** Descriptors the server may still open (null when unknown). */
  serverFdsLeft: number | null;
}

export interface StopLimits {
  maxConnectErrorRatio: number;
  p99LimitMs: number;
  rssLimitBytes: number;
  lagLimitMs: number;
}

export const DEFAULT_LIMITS: StopLimits = {
  maxConnectErrorRatio: 0.001,
  p99LimitMs: 200,
  rssLimitBytes: 2 * 1024 ** 3,
  lagLimitMs: 100,
};

export type Ceiling = 'connect errors' | 'latency' | 'memory' | 'event-loop lag' | 'fd limit' | 'client fd limit' | 'none';

export interface Verdict { pass: boolean; ceiling: Ceiling; detail: string }

export function judgeStep(s: StepFigures, l: StopLimits): Verdict {
  const errorRatio = s.attempted === 0 ? 0 : s.failed / s.attempted;
  if (errorRatio > l.maxConnectErrorRatio) {
    return { pass: false, ceiling: 'connect errors', detail: `${s.failed} of ${s.attempted} connects failed (${(errorRatio * 100).toFixed(2)} % > ${(l.maxConnectErrorRatio * 100).toFixed(2)} %)` };
  }
  if (s.deliveryP99Ms !== null && s.deliveryP99Ms > l.p99LimitMs) {
    return { pass: false, ceiling: 'latency', detail: `p99 send→delivery ${s.deliveryP99Ms.toFixed(1)} ms > ${l.p99LimitMs} ms` };
  }
  if (s.rssBytes !== null && s.rssBytes > l.rssLimitBytes) {
    return { pass: false, ceiling: 'memory', detail: `server RSS ${(s.rssBytes / 2 ** 20).toFixed(0)} MiB > ${(l.rssLimitBytes / 2 ** 20).toFixed(0)} MiB` };
  }
  if (s.loopLagP99Ms !== null && s.loopLagP99Ms > l.lagLimitMs) {
    return { pass: false, ceiling: 'event-loop lag', detail: `event-loop lag p99 ${s.loopLagP99Ms.toFixed(1)} ms > ${l.lagLimitMs} ms` };
  }
  return { pass: true, ceiling: 'none', detail: 'all rules held' };
}

/** The next step's size, or null with the fd ceiling when the server cannot open that many. */
export function nextStep(current: number, step: number, max: number, serverFdCap: number | null): { next: number } | { stop: Verdict } {
  const want = Math.min(current + step, max);
  if (serverFdCap !== null && want > serverFdCap) {
    if (current >= serverFdCap) {
      return { stop: { pass: false, ceiling: 'fd limit', detail: `the server process may hold at most ${serverFdCap} sockets (open-file limit)` } };
    }
    return { next: serverFdCap };
  }
  if (current >= max) return { stop: { pass: true, ceiling: 'none', detail: `reached --max-connections ${max}` } };
  return { next: want };
}

/** Parses sizes like 512M, 2G, 1500000000. */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (m === null) throw new Error(`not a size: ${text} (use e.g. 512M or 2G)`);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : unit === 't' ? 1024 ** 4 : 1;
  return Math.round(Number(m[1]) * mult);
}
