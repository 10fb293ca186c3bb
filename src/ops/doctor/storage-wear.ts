import { readUnder } from './types.js';

/**
 * How worn the storage under the data folder is, where the kernel says. Only
 * eMMC reports it (JEDEC's device life estimates in /sys/block/<disk>/device/
 * life_time and pre_eol_info, e.g. a Compute Module's eMMC); SD cards, USB and
 * SATA disks do not, and NVMe keeps it in a SMART log sysfs does not show.
 */
export type Wear =
  | { available: false }
  | { available: true; usedPercent: { low: number; high: number }; exceeded: boolean; preEol: 'normal' | 'warning' | 'urgent' | 'unknown' };

/** A life-time level (0x01 = 0-10 % used … 0x0A = 90-100 %, 0x0B = beyond the rated life); null if not one. */
function level(hex: string | undefined): number | null {
  if (hex === undefined || !/^0x[0-9a-f]{1,2}$/i.test(hex)) return null;
  const n = Number.parseInt(hex.slice(2), 16);
  return n >= 1 && n <= 11 ? n : null;
}

export function wearOf(root: string, disk: string): Wear {
  const lifeTime = readUnder(root, `/sys/block/${disk}/device/life_time`)?.trim().split(/\s+/);
  // Two estimates (type A and type B memory): the more worn one is the card's.
  const levels = (lifeTime ?? []).map(level).filter((n): n is number => n !== null);
  if (levels.length === 0) return { available: false };
  const worst = Math.max(...levels);
  const eol = level(readUnder(root, `/sys/block/${disk}/device/pre_eol_info`)?.trim());
  return {
    available: true,
    usedPercent: worst === 11 ? { low: 100, high: 100 } : { low: (worst - 1) * 10, high: worst * 10 },
    exceeded: worst === 11,
    preEol: eol === 1 ? 'normal' : eol === 2 ? 'warning' : eol === 3 ? 'urgent' : 'unknown',
  };
}

/** One phrase for the storage check's detail. */
export function describeWear(w: Wear): string {
  if (!w.available) return 'wear: not available (the kernel reports wear for eMMC only)';
  const used = w.exceeded ? 'past its rated life' : `${w.usedPercent.low}-${w.usedPercent.high} % of its rated life used`;
  return `wear: ${used}${w.preEol === 'unknown' ? '' : `, reserve blocks ${w.preEol}`}`;
}

/** Worn enough to act on: replacing the storage before it fails loses nothing. */
export function wearSeverity(w: Wear): 'ok' | 'warn' | 'fail' {
  if (!w.available) return 'ok';
  if (w.exceeded || w.preEol === 'urgent') return 'fail';
  if (w.usedPercent.high >= 90 || w.preEol === 'warning') return 'warn';
  return 'ok';
}
