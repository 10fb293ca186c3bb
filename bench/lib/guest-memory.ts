/**
 * The memory of a server run under qemu-user (an arm64 or armv7 Roost on this
 * x64 box). The host's VmRSS of that process counts the emulator too — its
 * translated-code cache, its own heap and libraries — so it says nothing about
 * a Pi. What does carry over is the guest's own memory: the pages resident
 * inside the mappings the guest made (its node binary and libraries, V8's
 * heaps, its malloc arenas). qemu-user places each guest mapping at
 * `guest address + guest_base` in the host process, and the guest's
 * /proc/self/maps (emulated by qemu) lists exactly those, so: resident bytes
 * of the host mappings that fall inside the guest's, shifted by guest_base.
 */
import { readFileSync } from 'node:fs';

interface Mapping { start: number; end: number; offset: number; path: string }

function parseLine(line: string): Mapping | null {
  const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \S+\s*(.*)$/.exec(line);
  if (m === null) return null;
  return { start: parseInt(m[1] ?? '', 16), end: parseInt(m[2] ?? '', 16), offset: parseInt(m[3] ?? '', 16), path: (m[4] ?? '').trim() };
}

/** Lines of /proc/<pid>/maps (or the mapping header lines of smaps). */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = parseLine(line);
    if (m !== null) out.push(m);
  }
  return out;
}

/** Host mappings from /proc/<pid>/smaps with their resident bytes. */
export function parseSmaps(text: string): Array<Mapping & { rssBytes: number }> {
  const out: Array<Mapping & { rssBytes: number }> = [];
  for (const line of text.split('\n')) {
    const m = parseLine(line);
    if (m !== null) {
      out.push({ ...m, rssBytes: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    const last = out[out.length - 1];
    if (rss !== null && last !== undefined) last.rssBytes = Number(rss[1]) * 1024;
  }
  return out;
}

/**
 * guest_base: the shift between a file mapping the guest lists and the same
 * file at the same offset in the host's list (0 for a 64-bit guest here; a
 * 32-bit guest lives in a 4 GiB window placed wherever the host had room).
 */
export function guestBase(guest: readonly Mapping[], host: readonly Mapping[]): number | null {
  for (const g of guest) {
    if (!g.path.startsWith('/')) continue;
    const h = host.find((x) => x.path === g.path && x.offset === g.offset && x.end - x.start === g.end - g.start);
    if (h !== undefined) return h.start - g.start;
  }
  return null;
}

/** Resident bytes of the guest: host mappings inside the guest's, a partial overlap counted pro rata. */
export function guestRssBytes(guestMapsText: string, hostSmapsText: string): number | null {
  const guest = parseMaps(guestMapsText);
  const host = parseSmaps(hostSmapsText);
  const base = guestBase(guest, host);
  if (base === null) return null;
  const ranges = guest.map((g) => [g.start + base, g.end + base] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (const h of host) {
    if (h.rssBytes === 0) continue;
    let inside = 0;
    for (const [s, e] of ranges) {
      if (s >= h.end) break;
      inside += Math.max(0, Math.min(e, h.end) - Math.max(s, h.start));
    }
    total += h.rssBytes * Math.min(1, inside / (h.end - h.start));
  }
  return Math.round(total);
}

/** Emulated servers this bench started: pid → the file their preload keeps the guest's maps in. */
const guests = new Map<number, string>();

export function registerGuest(pid: number, mapsFile: string): void {
  guests.set(pid, mapsFile);
}

/**
 * The guest's resident bytes for an emulated server (null while its maps are
 * not readable yet), or undefined for a process that is not one.
 */
export function guestRssOf(pid: number): number | null | undefined {
  const mapsFile = guests.get(pid);
  if (mapsFile === undefined) return undefined;
  try {
    return guestRssBytes(readFileSync(mapsFile, 'utf8'), readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  } catch {
    return null;
  }
}
