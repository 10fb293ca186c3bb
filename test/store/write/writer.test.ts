import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writer } from '../../../src/store/write/writer.js';
import { openWritable } from '../../../src/store/db/database.js';
import { addUser, createRoom } from '../../../src/store/admin/admin.js';

/** A data folder with one user in one room, for writer tests. */
function folder(t: { teardown(fn: () => void): void }): { dir: string; user: number; room: number } {
  const dir = mkdtempSync(join(tmpdir(), 'roost-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = openWritable(dir);
  const u = addUser(db, 'alice', 'member', 'x');
  const room = createRoom(db, 'general', ['alice'], undefined, { entries: false });
  db.close();
  return { dir, user: u.id, room: room.id };
}

t.test('the writer thread commits sends with gap-free seqs', async (t) => {
  const { dir, user, room } = folder(t);
  const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100 });
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    writer.run({ k: 'send', room, user, clientMsgId: `m${i}`, body: `hello ${i}` })));
  t.same(results.map((r) => (r.ok ? r.seq : -1)), Array.from({ length: 50 }, (_, i) => i + 1));
  await writer.close();
});

t.test('a callback that throws in the middle of a batch costs only itself: the others get their results, the writer goes on', async (t) => {
  const { dir, user, room } = folder(t);
  const errors: Array<{ err: unknown; op: unknown }> = [];
  const batches: number[] = [];
  const writer = await Writer.start({
    dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100,
    onBatch: (size) => batches.push(size),
    onError: (err, op) => errors.push({ err, op }),
  });
  const send = (id: string) => ({ k: 'send' as const, room, user, clientMsgId: id, body: `hello ${id}` });
  // The first write goes alone; the three after it wait and are committed as one batch.
  const first = writer.run(send('first'));
  const got: Record<string, number> = {};
  const all = new Promise<void>((resolve) => {
    t.ok(writer.submit(send('A'), (r) => { got.A = r.ok ? r.seq : -1; }));
    t.ok(writer.submit(send('B'), () => { throw new Error('the socket closed a moment ago'); }));
    t.ok(writer.submit(send('C'), (r) => { got.C = r.ok ? r.seq : -1; resolve(); }));
  });
  await first;
  await all;
  t.same(batches, [1, 3], 'A, B and C were one batch');
  t.same(got, { A: 2, C: 4 }, 'A and C were acked with their seqs');
  t.equal(errors.length, 1);
  t.match(errors[0], { err: { message: 'the socket closed a moment ago' }, op: { k: 'send', clientMsgId: 'B' } });
  const after = await writer.run(send('D'));
  t.match(after, { ok: true, seq: 5 }, 'the writer keeps committing');
  await writer.close();
});

t.test('a delivery wrapper that throws after the callbacks ran is reported; the next batch is delivered', async (t) => {
  const { dir, user, room } = folder(t);
  const errors: unknown[] = [];
  let deliveries = 0;
  const writer = await Writer.start({
    dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100,
    deliver: (run) => {
      run();
      if (++deliveries === 1) throw new Error('flush failed');
    },
    onError: (err) => errors.push(err),
  });
  t.match(await writer.run({ k: 'send', room, user, clientMsgId: 'a', body: 'x' }), { ok: true, seq: 1 });
  t.match(await writer.run({ k: 'send', room, user, clientMsgId: 'b', body: 'y' }), { ok: true, seq: 2 });
  t.match(errors, [{ message: 'flush failed' }]);
  await writer.close();
});

t.test('the byte bound refuses a write with unavailable while the backlog is too large, and accepts again once it drained', async (t) => {
  const { dir, user, room } = folder(t);
  // 300 characters: 856 estimated bytes each (writeOpBytes); two do not fit in 1500, one and a short one do.
  const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, queueBytes: 1500 });
  const send = (id: string, body: string) => ({ k: 'send' as const, room, user, clientMsgId: id, body });
  const long = 'x'.repeat(300);
  const first = writer.run(send('first', long)); // in flight at once: not waiting, not counted
  const waiting = writer.run(send('waiting', long));
  t.equal(writer.queuedBytes, 856);
  const refused = await writer.run(send('refused', long));
  t.match(refused, { ok: false, code: 'unavailable' }, 'over the byte bound');
  const short = writer.run(send('short', ''));
  t.equal(writer.queuedBytes, 856 + 256, 'a small write still fits: the bound is on bytes, not count');
  t.match(await Promise.all([first, waiting, short]), [{ ok: true }, { ok: true }, { ok: true }]);
  await writer.idle();
  t.equal(writer.queuedBytes, 0);
  t.match(await writer.run(send('again', long)), { ok: true }, 'accepted again after the backlog drained');
  await writer.close();
});

t.test('a write alone in the queue is never refused for its size', async (t) => {
  const { dir, user, room } = folder(t);
  const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, queueBytes: 10 });
  const first = writer.run({ k: 'send', room, user, clientMsgId: 'a', body: 'in flight' });
  t.match(await writer.run({ k: 'send', room, user, clientMsgId: 'b', body: 'larger than the bound' }), { ok: true });
  await first;
  await writer.close();
});

t.test('the count bound still refuses past queueMax writes waiting', async (t) => {
  const { dir, user, room } = folder(t);
  const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 2, batchMax: 100 });
  const send = (id: string) => writer.run({ k: 'send', room, user, clientMsgId: id, body: id });
  const accepted = [send('in-flight'), send('w1'), send('w2')];
  t.match(await send('w3'), { ok: false, code: 'unavailable' });
  t.match(await Promise.all(accepted), [{ ok: true }, { ok: true }, { ok: true }]);
  t.match(await send('w4'), { ok: true });
  await writer.close();
});

t.test('a batch larger than batchMax goes in order over several commits', async (t) => {
  const { dir, user, room } = folder(t);
  const batches: number[] = [];
  const writer = await Writer.start({ dataDir: dir, synchronous: 'NORMAL', queueMax: 10_000, batchMax: 7, onBatch: (n) => batches.push(n) });
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) =>
    writer.run({ k: 'send', room, user, clientMsgId: `m${i}`, body: `m${i}` })));
  t.same(results.map((r) => (r.ok ? r.seq : -1)), Array.from({ length: 100 }, (_, i) => i + 1));
  t.ok(batches.every((n) => n <= 7), 'no batch over batchMax');
  t.equal(batches.reduce((a, b) => a + b, 0), 100);
  await writer.close();
});

t.test('when the writer thread dies, a callback that throws does not keep the others from their unavailable answer', async (t) => {
  const { dir, user, room } = folder(t);
  const errors: Array<{ err: unknown; op: unknown }> = [];
  let fatal: string | undefined;
  const writer = await Writer.start({
    dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100,
    onError: (err, op) => errors.push({ err, op }),
    onFatal: (message) => (fatal = message),
  });
  const send = (id: string) => ({ k: 'send' as const, room, user, clientMsgId: id, body: id });
  const first = writer.run(send('first'));
  const got = new Promise<unknown>((resolve) => {
    writer.submit(send('B'), () => { throw new Error('failed while answering'); });
    writer.submit(send('C'), resolve);
  });
  // Whether B and C were committed before the thread went or are failed with it, C is answered.
  await (writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  t.match(await got, { ok: Boolean });
  await first;
  t.match(errors, [{ err: { message: 'failed while answering' }, op: { clientMsgId: 'B' } }]);
  t.notOk(writer.alive);
  t.match(fatal, /exited/);
  t.match(await writer.run(send('D')), { ok: false, code: 'unavailable' });
});

t.test('writes submitted inside together() to an idle writer share one commit and one delivery', async (t) => {
  const { dir, user, room } = folder(t);
  const batches: number[] = [];
  const deliveries: number[] = [];
  let delivered = 0;
  const writer = await Writer.start({
    dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100,
    onBatch: (size) => batches.push(size),
    deliver: (run) => {
      const before = delivered;
      run();
      deliveries.push(delivered - before);
    },
  });
  const send = (id: string) => ({ k: 'send' as const, room, user, clientMsgId: id, body: `hello ${id}` });
  const seqs: number[] = [];
  const done = new Promise<void>((resolve) => {
    writer.together(() => {
      for (const id of ['a', 'b', 'c']) {
        writer.submit(send(id), (r) => {
          delivered++;
          if (r.ok) seqs.push(r.seq);
          if (delivered === 3) resolve();
        });
      }
      writer.together(() => writer.submit(send('d'), () => void delivered++));
      t.equal(writer.depth, 4, 'nothing is dispatched while together() runs, nested or not');
    });
  });
  await done;
  await writer.idle();
  t.same(batches, [4], 'one commit for all four');
  t.same(deliveries, [4], 'their callbacks ran in one delivery');
  t.same(seqs, [1, 2, 3], 'in submission order');
  await writer.close();
});

t.test('a write submitted outside together() to an idle writer goes at once, alone', async (t) => {
  const { dir, user, room } = folder(t);
  const batches: number[] = [];
  const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, onBatch: (size) => batches.push(size) });
  const first = writer.run({ k: 'send', room, user, clientMsgId: 'x', body: 'x' });
  const second = writer.run({ k: 'send', room, user, clientMsgId: 'y', body: 'y' });
  await Promise.all([first, second]);
  t.same(batches, [1, 1], 'the second waits for the first commit, as group commit does');
  await writer.close();
});

/** Resolves when `cond` holds, polled every 10 ms; fails after 20 s (a generous bound, not a figure). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('a quiet writer parks its thread, and the next write starts it again and commits as usual', async (t) => {
  const { dir, user, room } = folder(t);
  const parks: boolean[] = [];
  const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, parkAfterMs: 30, onPark: (p) => parks.push(p) });
  t.ok(writer.running, 'running after start');
  await until(() => parks.length === 1, 'the thread to park');
  t.same(parks, [true]);
  t.notOk(writer.running);
  t.ok(writer.alive, 'parked is not dead: readiness still says healthy');
  const send = (id: string) => ({ k: 'send' as const, room, user, clientMsgId: id, body: `hello ${id}` });
  // Three writes while parked: they wait for the thread and go as one batch.
  const results = await Promise.all([writer.run(send('a')), writer.run(send('b')), writer.run(send('c'))]);
  t.same(results.map((r) => (r.ok ? r.seq : -1)), [1, 2, 3], 'committed in order with gap-free seqs');
  t.same(parks, [true, false], 'started again once');
  await until(() => parks.length === 3, 'the thread to park again');
  t.match(await writer.run(send('a')), { ok: true, duplicate: true, seq: 1 }, 'a retry after a park is still recognised: the rows were durable');
  await writer.close();
  const db = openWritable(dir);
  t.equal((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n, 3, 'three rows, no more');
  db.close();
});

t.test('a write that comes while the thread is parking waits for it and is committed', async (t) => {
  const { dir, user, room } = folder(t);
  const parks: boolean[] = [];
  const writer = await Writer.start({
    dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, parkAfterMs: 20,
    onPark: (p) => parks.push(p),
  });
  // Checked every loop turn: running turns false as the park begins, and the thread's checkpoint
  // and exit take several turns, so the write nearly always lands mid-park (either way it commits).
  const deadline = Date.now() + 20_000;
  while (writer.running && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  t.notOk(writer.running, 'the park began');
  t.match(await writer.run({ k: 'send', room, user, clientMsgId: 'late', body: 'hello' }), { ok: true, seq: 1 });
  await writer.close();
  t.equal(parks[0], true);
});

t.test('closing a parked writer needs no thread, and a writer that never parks keeps running', async (t) => {
  const { dir } = folder(t);
  let parks = 0;
  const parked = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, parkAfterMs: 10, onPark: () => parks++ });
  await until(() => parks === 1, 'the park');
  await parked.close();
  t.notOk(parked.submit({ k: 'send', room: 1, user: 1, clientMsgId: 'x', body: 'x' }, () => {}), 'closed: refuses');
  const steady = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, parkAfterMs: 0 });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(steady.running, 'parkAfterMs 0: never parks');
  await steady.close();
});

t.test('a parked writer that cannot start again answers the waiting writes unavailable and reports it fatal', async (t) => {
  const { dir, user, room } = folder(t);
  const fatal: string[] = [];
  let parks = 0;
  const writer = await Writer.start({
    dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, parkAfterMs: 10,
    onPark: (p) => { if (p) parks++; }, onFatal: (m) => fatal.push(m),
  });
  await until(() => parks === 1, 'the park');
  // The folder's database is no longer one (a disk fault, a bad restore): the thread cannot open it.
  for (const suffix of ['-wal', '-shm']) rmSync(join(dir, `roost.db${suffix}`), { force: true });
  writeFileSync(join(dir, 'roost.db'), 'this is not a database file, and it is long enough to be read as a header');
  const result = await writer.run({ k: 'send', room, user, clientMsgId: 'x', body: 'hello' });
  t.match(result, { ok: false, code: 'unavailable', message: /could not start again/ });
  t.equal(fatal.length, 1);
  t.notOk(writer.alive);
  await writer.close();
});
