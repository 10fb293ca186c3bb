/** Figures every scenario derives the same way. */
import { fitLine } from '../lib/fit.js';
import type { MemoryFit, Step } from '../lib/result.js';
import type { Ceiling } from '../lib/stop-rules.js';

const MIN_FIT_POINTS = 3;

/** Bytes per connection from a line through the loaded steps, not from one point. */
export function memoryFit(all: readonly Step[]): MemoryFit | null {
  // A freshly started server's RSS still moves with start-up garbage, so the idle step is
  // never a point of the line; and two points make a difference, not a fit: chat's two
  // quick ramp stages (no GC, 1.5 s apart) gave -36 B. Fewer than three loaded steps: no figure.
  const steps = all.filter((s) => s.connections > 0);
  if (new Set(steps.map((s) => s.connections)).size < MIN_FIT_POINTS) return null;
  const rss = steps.filter((s) => s.rssBytes !== null).map((s) => [s.connections, s.rssBytes ?? 0] as const);
  const line = fitLine(rss);
  if (line === null || new Set(rss.map((p) => p[0])).size < 2) return null;
  const kernel = fitLine(steps.filter((s) => s.kernelBytes !== null).map((s) => [s.connections, s.kernelBytes ?? 0] as const));
  const heapPoints = steps.filter((s) => s.heapUsedBytes !== undefined && s.heapUsedBytes !== null).map((s) => [s.connections, s.heapUsedBytes ?? 0] as const);
  const heap = heapPoints.length === rss.length ? fitLine(heapPoints) : null;
  return {
    userBytesPerConn: Math.round(line.slope),
    // Both ends of every connection are on this box; the server's end is half.
    kernelBytesPerConn: kernel === null ? null : Math.round(kernel.slope / 2),
    heapBytesPerConn: heap === null ? null : Math.round(heap.slope),
    baseRssBytes: Math.round(line.intercept),
    r2: line.r2,
    points: line.points,
  };
}

/** Names the ceiling behind failed connects from their reasons. */
export function classifyFailures(reasons: Record<string, number>, requested: number, serverFdCap: number | null): { rule: Ceiling; detail: string } {
  const total = Object.values(reasons).reduce((a, b) => a + b, 0);
  if (total === 0) return { rule: 'none', detail: 'every connection was established' };
  const list = Object.entries(reasons).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} × ${v}`).join(', ');
  if ((reasons.EMFILE ?? 0) + (reasons.ENFILE ?? 0) > 0) {
    return { rule: 'client fd limit', detail: `a load generator ran out of file descriptors (${list}); use more --workers or raise ulimit -n` };
  }
  if (serverFdCap !== null && requested > serverFdCap) {
    return { rule: 'fd limit', detail: `the server may hold ${serverFdCap} sockets under its open-file limit and ${requested} were asked for (${list})` };
  }
  if ((reasons.EADDRNOTAVAIL ?? 0) > 0) {
    return { rule: 'connect errors', detail: `out of ephemeral ports (${list}); widen net.ipv4.ip_local_port_range or spread source addresses` };
  }
  if ((reasons.http_503 ?? 0) > 0) {
    return { rule: 'connect errors', detail: `the server refused with 503 (at its maxConnections setting, or shutting down) (${list})` };
  }
  if ((reasons.http_429 ?? 0) > 0) {
    return { rule: 'connect errors', detail: `the server refused with 429 (per-user or per-address socket limits: maxSocketsPerUser, maxSocketsPerIp) (${list})` };
  }
  return { rule: 'connect errors', detail: list };
}
