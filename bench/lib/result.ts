/** The shape of one bench run's result file (bench/results/<date>-<host>-<scenario>.json). */
import type { LatencySummary } from './histogram.js';
import type { MachineInfo } from './machine.js';
import type { ProjectionRow } from './projection.js';
import type { Ceiling } from './stop-rules.js';
import type { Limit, ProjectionCaps } from './projection-caps.js';
import type { WearRow } from '../scenarios/wear.js';

export interface Step {
  /** Connections the load generators held open when the step was measured. */
  connections: number;
  attempted: number;
  failed: number;
  rssBytes: number | null;
  /** V8's heap in use at the server (its gauge), read with rssBytes; absent in files from before 2026-12-06. */
  heapUsedBytes?: number | null;
  /** Kernel TCP buffers + socket slab objects, both ends of every loopback connection. */
  kernelBytes: number | null;
  cpuPercent: number | null;
  /** Server threads' time runnable but waiting for a CPU, ms per second (from schedstat): CPU contention. */
  cpuWaitMsPerSecond: number | null;
  /** CPU of all load-generator processes together: near 100 % per worker means the client is the bottleneck. */
  clientCpuPercent: number | null;
  loopLagP99Ms: number | null;
  msgsPerSecond: number;
  ack: LatencySummary;
  delivery: LatencySummary;
  pass?: boolean;
  note?: string;
}

export interface MemoryFit {
  userBytesPerConn: number;
  kernelBytesPerConn: number | null;
  /** The V8 heap's share of userBytesPerConn, fitted the same way (null: no heap gauge). Steadier than RSS, which moves by whole heap pages and malloc's high-water. */
  heapBytesPerConn?: number | null;
  baseRssBytes: number;
  r2: number;
  points: number;
}

/** Server RSS settled after start, and settled after a burst of HTTP logins (scrypt and all). */
export interface RssCheck {
  idleBytes: number | null;
  afterLoginsBytes: number | null;
  logins: number;
  loginsFailed: number;
  firstLoginError: string | null;
  settleSeconds: number;
  /** Seconds after start the idle reading was taken (past writerParkSeconds in the memory scenario). */
  idleAfterSeconds?: number;
  loginUsers: number;
}

export interface RunFigures {
  target: string;
  /** Null where the bench cannot read the server's /proc (a remote server without --server-pid). */
  rss?: RssCheck | null;
  /** wear: bytes written to storage per message at each rate. */
  wear?: WearRow[];
  steps: Step[];
  figures: Record<string, number | string | null>;
  memory: MemoryFit | null;
}

export interface BenchResult extends RunFigures {
  scenario: string;
  startedAt: string;
  durationSeconds: number;
  command: string;
  machine: MachineInfo;
  loadAverageEnd: [number, number, number];
  parameters: Record<string, number | string | boolean | null>;
  ceiling: { rule: Ceiling; detail: string };
  projection: {
    formula: string; measuredOnPi: boolean;
    /** Each row's connections are the smallest of memory's figure and every cap; limitedBy names it. */
    rows: Array<ProjectionRow & { limitedBy?: Limit }>;
    caps?: ProjectionCaps & { cpuFitR2: number | null };
    /** Set when the memory fit's r² is below MIN_R2: then there are no rows. */
    unreliable?: string;
  } | null;
  baselines: RunFigures[];
  /** matrix: the same users held as WebSockets on a fresh server, the run its bytes are compared with (steps and fit). */
  reference?: RunFigures;
  notes: string[];
}
