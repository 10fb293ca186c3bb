/**
 * `roost bench`: sets up the target(s), runs one scenario against each, and
 * writes the result files. Everything it starts it also stops, on success,
 * on error and on Ctrl-C.
 */
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fdAdvice, fdLimitOf } from './lib/fd-limit.js';
import { machineInfo, piModel } from './lib/machine.js';
import { Progress } from './lib/progress.js';
import { arm64EmulatedNote, BOARD_CPU_FACTOR, PROJECTION_FORMULA, projectPi } from './lib/projection.js';
import { IDLE_CPU_SHARE, MIN_R2, SERVER_FD_RESERVE, capConnections, cpuConnections, cpuCostPerConnection, reliable, unitFdLimit, type ProjectionCaps } from './lib/projection-caps.js';
import { fitLine } from './lib/fit.js';
import type { BenchResult, MemoryFit, RunFigures, Step } from './lib/result.js';
import { shippedUnit } from '../src/ops/unit-file.js';
import { SETTINGS } from '../src/config/schema.js';
import { writeResultFiles } from './lib/report-files.js';
import type { Ceiling, StopLimits } from './lib/stop-rules.js';
import { runChat } from './scenarios/chat.js';
import { runFindMax } from './scenarios/find-max.js';
import { RAMP_STAGES, runHold } from './scenarios/hold.js';
import { bytesComparison, matrixConns, runMatrix } from './scenarios/matrix.js';
import { DEFAULT_WEAR_RATES, runWear } from './scenarios/wear.js';
import { DEFAULT_ENDURANCE_BYTES } from './lib/endurance.js';
import { budgetVerdict, checkMemory } from './scenarios/memory.js';
import { CLIENT_FD_MARGIN, defaultWorkers, Session } from './scenarios/session.js';
import { baselineServer, type BaselineKind } from './target/baseline.js';
import { remoteRoost } from './target/remote.js';
import { scratchRoost } from './target/scratch.js';
import type { Target } from './target/target.js';

export type Scenario = 'hold' | 'chat' | 'find-max' | 'memory' | 'wear' | 'matrix';

/** wear: a few rooms are enough to write messages; more users only lengthen seeding. */
export const WEAR_CONNECTIONS = 20;
export const WEAR_ROOM_SIZE = 10;

export interface BenchOptions {
  scenario: Scenario;
  connections: number;
  rate: number;
  holdSeconds: number;
  /** hold: seconds to wait after each ramp stage before reading RSS. */
  settleSeconds: number;
  roomSize: number;
  senders: number;
  msgRate: number;
  seconds: number;
  /** matrix: seconds of the same load sent (and reported apart) before the measured seconds. */
  warmupSeconds: number;
  bodyBytes: number;
  /** HTTP logins before the scenario, between the idle and the after-logins RSS reading. */
  logins: number;
  /** wear: steady rates to measure (msg/s), seconds at each (null: 60 s at 1 msg/s, 30 s at 10, else 10), card endurance assumed. */
  wearRates: number[];
  wearSeconds: number | null;
  enduranceBytes: number;
  /** hold: the connections are Matrix clients holding `/sync` long-polls instead of WebSockets. */
  holdSync?: boolean;
  /** chat: receiving connections send `read` as the web client does. */
  reads?: boolean;
  /** chat: this many load periods, reads off and on alternately. */
  readsCompare?: number;
  workers: number;
  step: number;
  stepSeconds: number;
  limits: StopLimits;
  baseline: boolean;
  url?: string;
  dataDir?: string;
  adminToken?: string;
  serverPid?: number;
  resultsDir: string;
  command: string;
  /** Write nothing to bench/results (tests). */
  noFiles?: boolean;
  /** Parent of the scratch data folder and baseline seed files (default: the system temp folder). */
  tmpDir?: string;
  /** Node flags for the scratch server, e.g. ['--cpu-prof', '--cpu-prof-dir', dir] to profile it. */
  serverNodeArgs?: string[];
}

export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../bench/results/' : '../../bench/results/', import.meta.url));

export function defaultOptions(): BenchOptions {
  return {
    scenario: 'hold', connections: 10_000, rate: 2000, holdSeconds: 30, settleSeconds: 10, roomSize: 50, senders: 200, msgRate: 1000,
    seconds: 20, warmupSeconds: 0, bodyBytes: 64, logins: 100, wearRates: DEFAULT_WEAR_RATES, wearSeconds: null, enduranceBytes: DEFAULT_ENDURANCE_BYTES, workers: defaultWorkers(), step: 2000, stepSeconds: 5,
    limits: { maxConnectErrorRatio: 0.001, p99LimitMs: 100, rssLimitBytes: Math.floor(totalmem() / 2), lagLimitMs: 100 },
    baseline: false, resultsDir: DEFAULT_RESULTS_DIR, command: 'roost bench',
  };
}

type Outcome = RunFigures & { ceiling: { rule: Ceiling; detail: string }; heldFit?: MemoryFit | null };

async function runOn(target: Target, o: BenchOptions, progress: Progress, connections: number): Promise<Outcome> {
  // The memory scenario is this check alone, settled as long as asked; before a load scenario, briefer.
  const rss = o.scenario === 'memory'
    ? await checkMemory(target, o.logins, o.settleSeconds, WRITER_PARK_SECONDS + PARK_MARGIN_SECONDS)
    : await checkMemory(target, o.logins, Math.min(o.settleSeconds, 5));
  if (o.scenario === 'memory') {
    const verdict = rss === null ? { pass: false, detail: 'the server\'s /proc is not readable here (give --server-pid)' } : budgetVerdict(rss);
    const mib = (b: number | null | undefined): number | null => (b === null || b === undefined ? null : Math.round((b / 2 ** 20) * 10) / 10);
    return {
      target: target.name, steps: [], memory: null, rss,
      figures: { 'idle RSS MiB': mib(rss?.idleBytes), [`RSS after ${rss?.logins ?? 0} logins MiB`]: mib(rss?.afterLoginsBytes), 'memory budget': verdict.pass ? 'pass' : 'over' },
      ceiling: { rule: verdict.pass ? 'none' : 'memory', detail: verdict.detail },
    };
  }
  return { ...(await runScenario(target, o, progress, connections)), rss };
}

async function runScenario(target: Target, o: BenchOptions, progress: Progress, connections: number): Promise<Outcome> {
  const lifetimeMs = 30 * 60 * 1000;
  // matrix opens every user as a /sync client, plus a WebSocket sender per room; hold --sync, every user as a /sync client.
  const matrix = o.scenario === 'matrix' ? matrixConns(target.conns.slice(0, connections), o.roomSize) : null;
  const conns = matrix?.conns ?? (o.scenario === 'hold' && o.holdSync === true ? target.conns.slice(0, connections).map((c) => ({ ...c, sync: true as const })) : null);
  const session = await Session.open(target, {
    workers: o.workers, connections: conns?.length ?? connections, pingEveryMs: 30_000, connectTimeoutMs: 10_000, lifetimeMs, progress,
    ...(conns === null ? {} : { conns }),
  });
  try {
    switch (o.scenario) {
      case 'matrix':
        return await runMatrix(session, {
          connections, senders: matrix?.senders ?? 0, rate: o.rate, roomSize: o.roomSize, msgRate: o.msgRate, seconds: o.seconds, bodyBytes: o.bodyBytes,
          connectTimeoutMs: 10_000, settleSeconds: o.settleSeconds, warmupSeconds: o.warmupSeconds,
        });
      case 'hold':
        return await runHold(session, { connections, rate: o.rate, holdSeconds: o.holdSeconds, connectTimeoutMs: 10_000, stages: RAMP_STAGES, settleSeconds: o.settleSeconds, sync: o.holdSync === true });
      case 'chat':
        return await runChat(session, { connections, rate: o.rate, roomSize: o.roomSize, senders: o.senders, msgRate: o.msgRate, seconds: o.seconds, bodyBytes: o.bodyBytes, connectTimeoutMs: 10_000, settleSeconds: o.settleSeconds, reads: o.reads, readsCompare: o.readsCompare });
      case 'wear':
        return await runWear(session, {
          connections, rate: o.rate, roomSize: Math.min(o.roomSize, WEAR_ROOM_SIZE), senders: Math.min(o.senders, WEAR_ROOM_SIZE), bodyBytes: o.bodyBytes,
          connectTimeoutMs: 10_000, rates: o.wearRates, seconds: o.wearSeconds, enduranceBytes: o.enduranceBytes,
        });
      case 'memory':
        throw new Error('the memory scenario opens no connections');
      case 'find-max':
        return await runFindMax(session, {
          maxConnections: connections, step: o.step, rate: o.rate, roomSize: o.roomSize, senders: o.senders, msgRate: o.msgRate,
          stepSeconds: o.stepSeconds, bodyBytes: o.bodyBytes, connectTimeoutMs: 10_000, limits: o.limits,
        });
    }
  } finally {
    progress.done();
    await session.close();
  }
}

/** Connections this run may ask for, and a note when a limit lowered it. */
function plannedConnections(o: BenchOptions, target: Target, notes: string[]): number {
  let n = o.connections;
  if (target.serverFdCap !== null && n > target.serverFdCap && o.scenario !== 'find-max') {
    notes.push(`${target.name}: ${fdAdvice(n, target.serverFdCap + 64)}; this run asks for ${target.serverFdCap} (the fd ceiling)`);
    n = target.serverFdCap;
  }
  return n;
}

/** The Pi projection from a memory fit, capped by the unit's fd limit, maxConnections and idle CPU; none from an unreliable fit. */
function cappedProjection(memory: MemoryFit, steps: Step[], msgsPerSecond: number | null, measuredOnPi: boolean): NonNullable<BenchResult['projection']> {
  const formula = `${PROJECTION_FORMULA}; then capped by the unit's LimitNOFILE − ${SERVER_FD_RESERVE}, maxConnections, and ` +
    `idle CPU (4 cores × board factor × ${IDLE_CPU_SHARE} ÷ measured CPU seconds per connection per second); a fit with r² < ${MIN_R2} is not used`;
  if (!reliable(memory)) {
    return { formula, measuredOnPi, rows: [], unreliable: `memory fit r² ${memory.r2.toFixed(3)} < ${MIN_R2}: unreliable, no projection` };
  }
  const cpuPoints = steps.filter((s) => s.connections > 0 && s.cpuPercent !== null && s.msgsPerSecond === 0).map((s) => [s.connections, s.cpuPercent ?? 0] as const);
  const cpuFit = new Set(cpuPoints.map((p) => p[0])).size >= 3 ? fitLine(cpuPoints) : null;
  const caps: ProjectionCaps = { fdLimit: unitFdLimit(shippedUnit()), maxConnections: Number(SETTINGS.maxConnections.default), cpuSecondsPerConnection: cpuCostPerConnection(cpuFit) };
  const rows = projectPi({
    userBytesPerConn: memory.userBytesPerConn, kernelBytesPerConn: memory.kernelBytesPerConn ?? 0, baseRssBytes: memory.baseRssBytes, msgsPerSecond,
  }).map((row) => ({ ...row, ...capConnections(row.connections, caps, cpuConnections(PI_CORES, BOARD_CPU_FACTOR[row.board] ?? 0, caps.cpuSecondsPerConnection)) }));
  return { formula, measuredOnPi, rows, caps: { ...caps, cpuFitR2: cpuFit?.r2 ?? null } };
}

/**
 * The memory scenario's server runs with the default writerParkSeconds (other scenarios
 * turn parking off: see SCRATCH_CONFIG), and its idle reading comes after the park
 * and a margin for the thread to exit and V8 to collect.
 */
const WRITER_PARK_SECONDS = Number(SETTINGS.writerParkSeconds.default);
const PARK_MARGIN_SECONDS = 5;

/** Pi 4 and Pi 5 both have four cores. */
const PI_CORES = 4;

export async function runBench(o: BenchOptions, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<{ result: BenchResult; files: { json: string; md: string; svg: string } | null }> {
  const started = Date.now();
  const progress = new Progress();
  const notes: string[] = [];
  const open: Target[] = [];
  const cleanup = async (): Promise<void> => {
    for (const t of open.splice(0)) await t.close().catch((err: Error) => log(`clean-up of ${t.name} failed: ${err.message}`));
  };
  const onSignal = (): void => {
    progress.note('interrupted: stopping load generators and servers…');
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const clientFds = fdLimitOf('self')?.hard ?? null;
  if (clientFds !== null) notes.push(`open-file limit here: ${clientFds} per process; each load generator holds at most ${clientFds - CLIENT_FD_MARGIN} clients`);
  const load0 = machineInfo(o.dataDir ?? process.cwd());
  try {
    // The memory check logs in as a few users; it needs no one else.
    const seedCount = o.scenario === 'memory' ? 10 : o.scenario === 'wear' ? Math.min(o.connections, WEAR_CONNECTIONS) : o.connections;
    const roomSize = o.scenario === 'wear' ? Math.min(o.roomSize, WEAR_ROOM_SIZE) : o.roomSize;
    log(`roost bench ${o.scenario}: preparing ${seedCount} bench users…`);
    const scratch = (): Promise<Target> => scratchRoost({ connections: seedCount, roomSize, ...(o.scenario === 'memory' ? { config: { writerParkSeconds: WRITER_PARK_SECONDS } } : {}), ...(o.tmpDir === undefined ? {} : { parentDir: o.tmpDir }), ...(o.serverNodeArgs === undefined ? {} : { nodeArgs: o.serverNodeArgs }) });
    const main = o.url === undefined
      ? await scratch()
      : await remoteRoost({ url: o.url, dataDir: o.dataDir ?? '', connections: seedCount, roomSize,
        ...(o.adminToken === undefined ? {} : { adminToken: o.adminToken }), ...(o.serverPid === undefined ? {} : { pid: o.serverPid }) });
    open.push(main);
    const n = plannedConnections(o, main, notes);
    let mine = await runOn(main, o, progress, n);
    await main.close();
    let reference: RunFigures | undefined;
    if (o.scenario === 'matrix') {
      // A WebSocket's bytes, fitted the way the held polls' were: on a server of the same users
      // and rooms that has carried no load (the load's leftovers in the main server's heap and
      // malloc would absorb sockets opened after it), so the ratio compares like with like.
      if (o.url === undefined) {
        log('the same users as WebSockets, on a fresh server…');
        const ref = await scratch();
        open.push(ref);
        // Through runOn, as the matrix server went: the same login burst before its idle reading.
        const { target, steps, figures, memory } = await runOn(ref, { ...o, scenario: 'hold', holdSeconds: 0 }, progress, n);
        reference = { target: `${target}, fresh, WebSockets`, steps, figures, memory };
        await ref.close();
      }
      const { heldFit = null, ...rest } = mine;
      mine = { ...rest, figures: { ...mine.figures, ...bytesComparison(heldFit, reference?.memory ?? null, 'a server started elsewhere (--url) cannot be started afresh; run --scenario hold against it') } };
    }
    const baselines: RunFigures[] = [];
    if (o.baseline) {
      for (const kind of ['bare-uws', 'bare-ws'] as BaselineKind[]) {
        log(`baseline ${kind}…`);
        const b = await baselineServer(kind, seedCount, o.roomSize, 30 * 60 * 1000, o.tmpDir);
        open.push(b);
        baselines.push(await runOn(b, o, progress, plannedConnections(o, b, notes)));
        await b.close();
      }
    }
    const measuredMsgs = typeof mine.figures['durable msgs/s'] === 'number' ? mine.figures['durable msgs/s'] : null;
    const pi = piModel();
    const result: BenchResult = {
      ...mine,
      scenario: o.scenario,
      startedAt: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      command: o.command,
      machine: load0,
      loadAverageEnd: machineInfo(o.dataDir ?? process.cwd()).loadAverage,
      parameters: {
        connections: n, rate: o.rate, holdSeconds: o.holdSeconds, settleSeconds: o.settleSeconds, roomSize: o.roomSize, senders: o.senders, msgRate: o.msgRate,
        seconds: o.seconds, warmupSeconds: o.warmupSeconds, bodyBytes: o.bodyBytes, logins: o.logins, wearRates: o.wearRates.join(','), wearSeconds: o.wearSeconds, enduranceBytes: o.enduranceBytes, workers: o.workers, step: o.step, stepSeconds: o.stepSeconds,
        p99LimitMs: o.limits.p99LimitMs, rssLimitBytes: o.limits.rssLimitBytes, lagLimitMs: o.limits.lagLimitMs,
        target: o.url ?? 'scratch', baseline: o.baseline, ...(o.holdSync === true ? { held: '/sync' } : {}),
      },
      projection: mine.memory === null ? null : cappedProjection(mine.memory, mine.steps, measuredMsgs, pi !== null),
      baselines,
      ...(reference === undefined ? {} : { reference }),
      notes,
    };
    if (pi !== null) notes.push(`measured on ${pi}: the connection figures above are this board's own; the projection rows for other RAM sizes scale them`);
    else if (result.projection !== null && load0.emulatedServer === null && process.arch !== 'arm64') notes.push(arm64EmulatedNote());
    const files = o.noFiles ? null : writeResultFiles(o.resultsDir, result);
    return { result, files };
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
