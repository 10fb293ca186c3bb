/**
 * Bytes a process sent to storage, from /proc/<pid>/io. write_bytes counts
 * pages the process dirtied on a block device (the WAL, checkpoints into the
 * database file, search-index merges), threads included; tmpfs counts nothing
 * and the filesystem's own journal is not charged to the process.
 */
import { readFileSync } from 'node:fs';

export interface IoSample { writeBytes: number; cancelledWriteBytes: number; wchar: number }

export function parseProcIo(text: string): IoSample | null {
  const field = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(text);
    return m === null ? null : Number(m[1]);
  };
  const writeBytes = field('write_bytes');
  const wchar = field('wchar');
  if (writeBytes === null || wchar === null) return null;
  return { writeBytes, cancelledWriteBytes: field('cancelled_write_bytes') ?? 0, wchar };
}

export function sampleIo(pid: number): IoSample | null {
  try {
    return parseProcIo(readFileSync(`/proc/${pid}/io`, 'utf8'));
  } catch {
    return null;
  }
}
