/**
 * "What a Pi would hold": the measured cost per connection projected onto
 * Raspberry Pi RAM sizes. A projection, labelled as one, with its formula.
 */

export interface ProjectionInput {
  /** Server user-space bytes per connection (fitted slope of RSS). */
  userBytesPerConn: number;
  /** Kernel bytes per connection, server end. */
  kernelBytesPerConn: number;
  /** Server RSS with no connections (fitted intercept). */
  baseRssBytes: number;
  /** Durable messages per second measured here, if a chat run measured it. */
  msgsPerSecond: number | null;
}

export interface ProjectionRow { board: string; ramGiB: number; connections: number; msgsPerSecond: number | null }

/** Share of RAM left to Roost; the rest is the OS, the SQLite file cache and headroom. */
export const USABLE_RAM_SHARE = 0.75;

/**
 * Per-core speed of each board relative to the x86-64 cores these figures
 * usually come from. An assumption (published single-thread scores), not a
 * measurement: run `roost bench` on the Pi to replace it.
 */
export const BOARD_CPU_FACTOR: Readonly<Record<string, number>> = { 'Pi 4': 0.3, 'Pi 5': 0.6 };

/**
 * The same server measured on arm64 under qemu-user, counting the guest's own pages
 * (docs/benchmark.md, "arm64 and armv7 under emulation"). Memory layout carries over to a
 * Pi; the emulator's timings do not, so only bytes are kept. Re-measure with
 * `ROOST_BENCH_EMULATOR=… roost bench --scenario hold --connections 8000 --rate 200 --settle 20`.
 */
export const ARM64_EMULATED = {
  userBytesPerConn: 580,
  kernelNote: 'kernel bytes are the host kernel\'s (4,024)',
  idleRssMiB: 80.1,
  afterLoginsRssMiB: 92.6,
  node: 'Node 22 for linux-arm64',
  measured: '2026-12-04',
} as const;

export function arm64EmulatedNote(): string {
  const a = ARM64_EMULATED;
  return `arm64 (${a.node}, measured ${a.measured} under qemu-user, the guest's own pages): ${a.userBytesPerConn} user bytes per connection ` +
    `(${a.kernelNote}), ${a.idleRssMiB} MiB idle (writer parked), ${a.afterLoginsRssMiB} MiB after 1,000 logins; the rows above use this machine's figures`;
}

export const PROJECTION_FORMULA =
  `connections = (RAM × ${USABLE_RAM_SHARE} − base RSS) / (user bytes per connection + kernel bytes per connection); ` +
  `msgs/s = measured msgs/s × board CPU factor (Pi 4 ${BOARD_CPU_FACTOR['Pi 4']}, Pi 5 ${BOARD_CPU_FACTOR['Pi 5']}, assumed)`;

export function projectConnections(ramBytes: number, p: ProjectionInput): number {
  const perConn = p.userBytesPerConn + p.kernelBytesPerConn;
  if (perConn <= 0) return 0;
  return Math.max(0, Math.floor((ramBytes * USABLE_RAM_SHARE - p.baseRssBytes) / perConn));
}

export function projectPi(p: ProjectionInput): ProjectionRow[] {
  const rows: ProjectionRow[] = [];
  for (const board of ['Pi 4', 'Pi 5']) {
    for (const gib of [1, 2, 4, 8]) {
      const factor = BOARD_CPU_FACTOR[board] ?? 0;
      rows.push({
        board,
        ramGiB: gib,
        connections: projectConnections(gib * 1024 ** 3, p),
        msgsPerSecond: p.msgsPerSecond === null ? null : Math.round(p.msgsPerSecond * factor),
      });
    }
  }
  return rows;
}
