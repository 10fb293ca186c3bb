/**
 * Server-side figures read from /proc: resident memory, CPU time (all
 * threads, the writer included), open descriptors, and the kernel's TCP
 * buffer memory from /proc/net/sockstat (system-wide, in pages).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { openFds } from './fd-limit.js';
import { guestRssOf } from './guest-memory.js';

/** /proc reports CPU time in USER_HZ, which Linux fixes at 100 for user space. */
const USER_HZ = 100;
const PAGE = 4096;

export interface ProcSample {
  at: number;
  rssBytes: number | null;
  cpuSeconds: number | null;
  fds: number | null;
  tcpInUse: number | null;
  tcpMemBytes: number | null;
  /** CPU time of the main thread alone (the event loop: uWS, the JS), seconds, from its schedstat (ns). */
  mainThreadCpuSeconds: number | null;
  /** Time all the process's threads spent runnable but waiting for a CPU (contention), seconds. */
  runQueueWaitSeconds: number | null;
  /** Slab memory of the kernel objects every TCP socket needs (null without root). */
  socketSlabBytes: number | null;
}

/** Kernel caches one open TCP socket allocates from: the socket, its inode, file, dentry, epoll entry. */
const SOCKET_SLABS = new Set(['TCP', 'TCPv6', 'sock_inode_cache', 'filp', 'dentry', 'eventpoll_epi', 'eventpoll_pwq']);

export function parseSlabinfo(text: string): number | null {
  let total = 0;
  let seen = 0;
  for (const line of text.split('\n')) {
    const f = line.split(/\s+/);
    if (f[0] === undefined || !SOCKET_SLABS.has(f[0])) continue;
    total += Number(f[1]) * Number(f[3]);
    seen += 1;
  }
  return seen === 0 ? null : total;
}

export function parseStatusRss(statusText: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return m === null ? null : Number(m[1]) * 1024;
}

/** utime + stime from /proc/<pid>/stat (fields 14 and 15; the command name may hold spaces). */
export function parseStatCpuSeconds(statText: string): number | null {
  const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / USER_HZ : null;
}

export function parseSockstat(text: string): { inUse: number; memBytes: number } | null {
  const m = /^TCP: inuse (\d+) orphan \d+ tw \d+ alloc \d+ mem (\d+)/m.exec(text);
  return m === null ? null : { inUse: Number(m[1]), memBytes: Number(m[2]) * PAGE };
}

/** Sums field 2 (ns waiting on a run queue) of /proc/<pid>/task/<tid>/schedstat over every thread. */
export function runQueueWait(pid: number): number | null {
  let total = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const f = read(`/proc/${pid}/task/${tid}/schedstat`)?.split(' ');
      total += Number(f?.[1] ?? 0);
    }
  } catch {
    return null;
  }
  return total / 1e9;
}

/** Field 1 (ns on a CPU) of /proc/<pid>/task/<pid>/schedstat: the main thread's task id is the process id. */
export function mainThreadCpu(pid: number): number | null {
  const ns = Number(read(`/proc/${pid}/task/${pid}/schedstat`)?.split(' ')[0]);
  return Number.isFinite(ns) ? ns / 1e9 : null;
}

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

export function sampleProc(pid: number | null): ProcSample {
  const status = pid === null ? null : read(`/proc/${pid}/status`);
  const stat = pid === null ? null : read(`/proc/${pid}/stat`);
  const sock = read('/proc/net/sockstat');
  const tcp = sock === null ? null : parseSockstat(sock);
  const slab = read('/proc/slabinfo');
  // An emulated server's own memory is its guest's pages, not the emulator's.
  const guest = pid === null ? undefined : guestRssOf(pid);
  return {
    at: Date.now(),
    rssBytes: guest !== undefined ? guest : status === null ? null : parseStatusRss(status),
    cpuSeconds: stat === null ? null : parseStatCpuSeconds(stat),
    fds: pid === null ? null : openFds(pid),
    mainThreadCpuSeconds: pid === null ? null : mainThreadCpu(pid),
    runQueueWaitSeconds: pid === null ? null : runQueueWait(pid),
    tcpInUse: tcp?.inUse ?? null,
    tcpMemBytes: tcp?.memBytes ?? null,
    socketSlabBytes: slab === null ? null : parseSlabinfo(slab),
  };
}

/** Milliseconds per second the process's threads waited for a CPU between two samples. */
export function cpuWaitMsPerSecond(a: ProcSample, b: ProcSample): number | null {
  if (a.runQueueWaitSeconds === null || b.runQueueWaitSeconds === null || b.at <= a.at) return null;
  return (1000 * (b.runQueueWaitSeconds - a.runQueueWaitSeconds)) / ((b.at - a.at) / 1000);
}

/** CPU use between two samples, in percent of one core (200 % = two cores busy). */
export function cpuPercent(a: ProcSample, b: ProcSample): number | null {
  if (a.cpuSeconds === null || b.cpuSeconds === null || b.at <= a.at) return null;
  return (100 * (b.cpuSeconds - a.cpuSeconds)) / ((b.at - a.at) / 1000);
}

/**
 * CPU µs per unit of work (a delivery, a durable message) between two readings of a CPU clock
 * in seconds, to 0.1 µs: what the work costs the server however busy the box is, where rates
 * move with the neighbours.
 */
export function cpuMicrosPer(fromSeconds: number | null, toSeconds: number | null, count: number): number | null {
  if (fromSeconds === null || toSeconds === null || count <= 0) return null;
  return Math.round(((toSeconds - fromSeconds) * 1e6 / count) * 10) / 10;
}
