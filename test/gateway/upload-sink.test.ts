import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { UploadSink } from '../../src/gateway/upload-sink.js';

t.test('uploads left open after their first bytes hold no write slot: many of them allocate no more than a busy one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-sink-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const before = process.memoryUsage().arrayBuffers;
  const sinks: UploadSink[] = [];
  for (let i = 0; i < 40; i++) {
    const sink = new UploadSink(join(dir, `u${i}`));
    sink.write(Buffer.from(`first byte of ${i}`));
    sinks.push(sink);
    // Each write is done before the next upload starts, as when a slow client trickles.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // Every upload is still open; its write is done, so its slot is back in the shared pool.
  const grewMiB = (process.memoryUsage().arrayBuffers - before) / (1024 * 1024);
  // A 512 KiB slot each would be 20 MiB; one slot in turn is 0.5 MiB.
  t.ok(grewMiB < 8, `40 open uploads hold ${grewMiB.toFixed(1)} MiB of buffers`);
  for (const [i, sink] of sinks.entries()) {
    sink.write(Buffer.from(' and the rest'));
    await sink.finish();
    t.equal(readFileSync(sink.path, 'utf8'), `first byte of ${i} and the rest`);
  }
});

t.test('past every slot in flight, chunks are written at once from the caller\'s buffer, in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-sink-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sink = new UploadSink(join(dir, 'big'));
  const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(64 * 1024, i));
  for (const c of chunks) sink.write(c);
  t.ok(sink.syncWrites >= 50 - 8, `${sink.syncWrites} of 50 chunks written synchronously (8 may be in flight per upload)`);
  await sink.finish();
  t.same(readFileSync(sink.path), Buffer.concat(chunks));
});
