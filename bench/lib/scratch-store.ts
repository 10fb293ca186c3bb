/** A scratch store for the store-level benchmarks: one member per room, opened as the writer thread opens it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, createRoom } from '../../src/store/admin/admin.js';
import { openWritable, WRITER_CACHE_KIB, type Db } from '../../src/store/db/database.js';

/**
 * Rooms r0… of `roomSize` users each (u0… alone in theirs when the size is 1, else u0m0, u0m1, …):
 * room ids are 1…rooms, and room r's members are users r·size+1 … (r+1)·size. Remove `dir` when done.
 */
export function scratchStore(name: string, rooms: number, cacheKiB = WRITER_CACHE_KIB, roomSize = 1): { dir: string; db: Db } {
  const dir = mkdtempSync(join(tmpdir(), `roost-bench-scratch-${name}-`));
  const db = openWritable(dir, 'FULL', cacheKiB);
  db.transaction(() => {
    for (let r = 0; r < rooms; r++) {
      const names = Array.from({ length: roomSize }, (_, m) => (roomSize === 1 ? `u${r}` : `u${r}m${m}`));
      for (const n of names) addUser(db, n, 'member', 'scrypt$1$1$1$x$y');
      createRoom(db, `r${r}`, names);
    }
  })();
  return { dir, db };
}
