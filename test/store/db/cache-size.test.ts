import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { OCCASIONAL_CACHE_KIB, closeWritable, mainCacheKiB, openReadOnly, openWritable } from '../../../src/store/db/database.js';

t.test('the writer and gateway reader get the main page cache; occasional connections a small one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-cache-size-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const main = mainCacheKiB();
  t.ok(main >= 8 * 1024 && main <= 64 * 1024, `main cache between 8 and 64 MiB (${main} KiB)`);
  t.ok(OCCASIONAL_CACHE_KIB < main, 'occasional connections cache less than the main ones');
  const writer = openWritable(dir);
  t.equal(writer.pragma('cache_size', { simple: true }), -main, 'writer: the main cache (negative = KiB)');
  const reader = openReadOnly(dir);
  t.equal(reader.pragma('cache_size', { simple: true }), -main, 'gateway reader: the main cache');
  const search = openReadOnly(dir, OCCASIONAL_CACHE_KIB);
  t.equal(search.pragma('cache_size', { simple: true }), -OCCASIONAL_CACHE_KIB, 'a search or backup connection: the small cache');
  const admin = openWritable(dir, 'FULL', OCCASIONAL_CACHE_KIB);
  t.equal(admin.pragma('cache_size', { simple: true }), -OCCASIONAL_CACHE_KIB, 'the admin thread\'s writable connection: the small cache');
  for (const db of [reader, search]) db.close();
  closeWritable(admin);
  closeWritable(writer);
});
