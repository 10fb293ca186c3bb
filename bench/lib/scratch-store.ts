/** A scratch store for the store-level benchmarks: one member per room, opened as the writer thread opens it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, createRoom } from '../../src/store/admin/admin.js';
import { openWritable, WRITER_CACHE_KIB, type Db } from '../../src/store/db/database.js';

/** Users u0…u(rooms-1), each alone in room r0…; room and user ids are 1…rooms. Remove `dir` when done. */
export function scratchStore(name: string, rooms: number, cacheKiB = WRITER_CACHE_KIB): { dir: string; db: Db } {
  const dir = mkdtempSync(join(tmpdir(), `roost-bench-scratch-${name}-`));
  const db = openWritable(dir, 'FULL', cacheKiB);
  db.transaction(() => {
    for (let r = 0; r < rooms; r++) {
      addUser(db, `u${r}`, 'member', 'scrypt$1$1$1$x$y');
      createRoom(db, `r${r}`, [`u${r}`]);
    }
  })();
  return { dir, db };
}
