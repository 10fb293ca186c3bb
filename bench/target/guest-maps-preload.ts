/**
 * Loaded (`--import`) into a server the bench runs under qemu-user: keeps the
 * guest's own view of its mappings in ROOST_GUEST_MAPS_FILE, once a second,
 * for bench/lib/guest-memory.ts to count the guest's resident pages. Under
 * qemu, /proc/self/maps read from inside lists the guest's mappings only.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.ROOST_GUEST_MAPS_FILE;
if (isMainThread && file !== undefined && file !== '') {
  const dump = (): void => {
    try {
      writeFileSync(`${file}.tmp`, readFileSync('/proc/self/maps'));
      renameSync(`${file}.tmp`, file);
    } catch {
      // The reader keeps the last copy; a missed second changes nothing it reports.
    }
  };
  dump();
  setInterval(dump, 1000).unref();
}
