import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_CACHE_KIB, WRITER_CACHE_KIB, closeWritable, openReadOnly, openWritable } from '../../../src/store/db/database.js';

t.test('page caches are small and fixed: the writer thread\'s 4 MiB, every other connection 2 MiB', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-cache-size-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(WRITER_CACHE_KIB, 4 * 1024);
  t.equal(DEFAULT_CACHE_KIB, 2 * 1024);
  const writer = openWritable(dir, 'FULL', WRITER_CACHE_KIB);
  t.equal(writer.pragma('cache_size', { simple: true }), -WRITER_CACHE_KIB, 'the writer thread\'s connection (negative = KiB)');
  const reader = openReadOnly(dir);
  t.equal(reader.pragma('cache_size', { simple: true }), -DEFAULT_CACHE_KIB, 'a read-only connection by default (gateway reader, search, backup)');
  const cli = openWritable(dir);
  t.equal(cli.pragma('cache_size', { simple: true }), -DEFAULT_CACHE_KIB, 'a writable connection by default (admin thread, CLI)');
  reader.close();
  closeWritable(cli);
  closeWritable(writer);
});

t.test('the writer thread opens its connection with the writer\'s cache', async (t) => {
  const source = readFileSync(new URL('../../../src/store/write/writer-thread.ts', import.meta.url), 'utf8');
  t.match(source, /openWritable\(dataDir, synchronous, WRITER_CACHE_KIB\)/);
});
