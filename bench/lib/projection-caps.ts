/**
 * Every limit a Pi projection knows besides memory: the unit's open-file
 * limit, the server's maxConnections, and the CPU that idle connections cost
 * (pings and keep-alive). A projection is the smallest of them, and says which
 * one it was. A fit with r² below MIN_R2 is not a figure to project from.
 */
import type { Line } from './fit.js';

export const MIN_R2 = 0.95;

/** Descriptors the server needs besides sockets: SQLite files, listeners, threads, logs (bench's SERVER_FD_MARGIN and some). */
export const SERVER_FD_RESERVE = 128;

/** Share of a board's CPU that idle connections may take; the rest is for messages. */
export const IDLE_CPU_SHARE = 0.5;

export type Limit = 'memory' | 'LimitNOFILE' | 'maxConnections' | 'CPU';

export interface ProjectionCaps {
  /** The systemd unit's LimitNOFILE, null if unknown. */
  fdLimit: number | null;
  /** The server's maxConnections (its default unless configured). */
  maxConnections: number | null;
  /** CPU seconds one idle connection costs per second, null if not measured reliably. */
  cpuSecondsPerConnection: number | null;
}

export interface Capped { connections: number; limitedBy: Limit }

/** True when a fitted line may be used for a projection. */
export function reliable(line: Pick<Line, 'r2'> | null): boolean {
  return line !== null && Number.isFinite(line.r2) && line.r2 >= MIN_R2;
}

/** CPU seconds per idle connection per second from a fit of CPU % (of one core) over connections. */
export function cpuCostPerConnection(cpuFit: Pick<Line, 'slope' | 'r2'> | null): number | null {
  if (cpuFit === null || !reliable(cpuFit) || !(cpuFit.slope > 0)) return null;
  return cpuFit.slope / 100;
}

/** Connections a board's CPU holds idle: its cores × speed relative to here × IDLE_CPU_SHARE ÷ cost each. */
export function cpuConnections(cores: number, cpuFactor: number, cpuSecondsPerConnection: number | null): number | null {
  if (cpuSecondsPerConnection === null || !(cpuSecondsPerConnection > 0)) return null;
  return Math.floor((cores * cpuFactor * IDLE_CPU_SHARE) / cpuSecondsPerConnection);
}

/** The smallest of memory's figure and every known cap, and which one it was (memory wins ties). */
export function capConnections(memoryConnections: number, caps: ProjectionCaps, cpuLimit: number | null): Capped {
  let best: Capped = { connections: Math.max(0, Math.floor(memoryConnections)), limitedBy: 'memory' };
  const consider = (n: number | null, limitedBy: Limit): void => {
    if (n !== null && n < best.connections) best = { connections: Math.max(0, Math.floor(n)), limitedBy };
  };
  consider(caps.fdLimit === null ? null : caps.fdLimit - SERVER_FD_RESERVE, 'LimitNOFILE');
  consider(caps.maxConnections, 'maxConnections');
  consider(cpuLimit, 'CPU');
  return best;
}

/** LimitNOFILE of a unit file's text (the last one wins, as systemd reads it); null when absent or infinity. */
export function unitFdLimit(unit: string): number | null {
  let found: number | null = null;
  for (const line of unit.split('\n')) {
    const m = /^LimitNOFILE=(\d+)(?::(\d+))?\s*$/.exec(line.trim());
    if (m !== null) found = Number(m[2] ?? m[1]);
    else if (/^LimitNOFILE=/.test(line.trim())) found = null;
  }
  return found;
}
