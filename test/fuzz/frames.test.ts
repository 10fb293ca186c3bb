/**
 * Random and mutated WebSocket frames against a running server for a bounded
 * time (FUZZ_SECONDS; about 12 s of the default 24). Properties: the server
 * stays up and answers, every reply and close code is documented, the
 * bystander's pings keep coming back, nothing is stored that was not acked
 * (so nothing from a rejected frame), nothing lands in a room the fuzzer is
 * not in, and memory stays bounded.
 */
import fc from 'fast-check';
import t from 'tap';
import { frameLimits } from '../../src/gateway/server.js';
import { parseClientFrame } from '../../src/protocol/parse.js';
import { settledMemory } from '../helpers/memory.js';
import { BYSTANDER_PATIENCE_MS, fuzzMs, saveToCorpus, startArena } from './harness.js';

const FRAME_TYPES = ['send', 'sync', 'history', 'search', 'read', 'typing', 'rooms', 'ping', 'edit', 'delete', 'react', 'presence', 'nope', ''];

t.test('fuzzed frames: server up, documented replies only, bystander unaffected, nothing stored from a rejected frame', async (t) => {
  const arena = await startArena();
  t.teardown(() => arena.close());
  const rooms = [arena.ownRoom, arena.otherRoom, '0', '-1', '999999', '1e3', ' 1', '01', '9'.repeat(40), '__proto__'];

  // Well-formed-looking frames with hostile field values.
  const field = fc.oneof(
    fc.constantFrom(...rooms), fc.string(), fc.string({ unit: 'binary', maxLength: 80 }), fc.integer(), fc.double(),
    fc.constantFrom(null, true, [], {}, -0, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, '\ud800', 'a'.repeat(70)),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const structured = fc.record({
    type: fc.constantFrom(...FRAME_TYPES),
    id: fc.option(fc.oneof(fc.string({ maxLength: 70 }), fc.integer()), { nil: undefined }),
    room: fc.option(field, { nil: undefined }),
    body: fc.option(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), field), { nil: undefined }),
    clientMsgId: fc.option(fc.oneof(fc.uuid(), field), { nil: undefined }),
    since: fc.option(fc.oneof(fc.dictionary(fc.constantFrom(...rooms), fc.oneof(fc.nat(), field), { maxKeys: 5 }), field), { nil: undefined }),
    seq: fc.option(field, { nil: undefined }),
    before: fc.option(field, { nil: undefined }),
    limit: fc.option(field, { nil: undefined }),
    query: fc.option(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('"', '*', 'NEAR(', 'a OR', '"unterminated', '^', '记录'), field), { nil: undefined }),
  }, { requiredKeys: ['type'] }).map((o) => JSON.stringify(o));
  // Byte-level mutations of valid frames: flips, cuts, insertions.
  const valid = fc.constantFrom(
    JSON.stringify({ type: 'send', room: arena.ownRoom, body: 'hello', clientMsgId: 'm1' }),
    JSON.stringify({ type: 'sync', since: { [arena.ownRoom]: 0 } }),
    JSON.stringify({ type: 'history', room: arena.ownRoom, limit: 5 }),
    JSON.stringify({ type: 'search', query: 'hello' }),
    JSON.stringify({ type: 'read', room: arena.ownRoom, seq: 1 }),
  );
  const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert')), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => {
      let b = Buffer.from(text);
      for (const [pos, byte, how] of edits) {
        const i = pos % Math.max(1, b.length);
        if (how === 'flip') b[i] = byte;
        else if (how === 'cut') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
        else b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
      }
      return b.toString('latin1') === b.toString('utf8') ? b.toString('utf8') : b;
    });
  const junk = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)), fc.jsonValue().map((v) => JSON.stringify(v)));
  const frame = fc.oneof({ weight: 5, arbitrary: structured }, { weight: 3, arbitrary: mutated }, { weight: 2, arbitrary: junk });

  // Every send the parser accepts, by clientMsgId: the only frames allowed to store anything.
  // All bodies sent under an id count, not only the first: a frame may never reach the chat
  // rules (its socket closed by strikes earlier in the batch), and then a later one with the
  // same id is the first the server sees (CI stored 'heslo' under an id first sent with another body).
  const limits = frameLimits(arena.s.config);
  const acceptedSends = new Map<string, Set<string>>();
  const noteAccepted = (f: string | Buffer): void => {
    if (typeof f !== 'string') return;
    const p = parseClientFrame(f, limits);
    if (!p.ok || p.frame.type !== 'send' || p.frame.room !== arena.ownRoom) return;
    const bodies = acceptedSends.get(p.frame.clientMsgId) ?? new Set<string>();
    bodies.add(p.frame.body);
    acceptedSends.set(p.frame.clientMsgId, bodies);
  };
  const before = settledMemory();
  let inputs = 0;
  let batches = 0;
  let worstBystanderMs = 0;
  const started = Date.now();
  const budget = fuzzMs(0.5);
  let failing: Array<string | Buffer> | undefined;
  await fc.assert(
    fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 25 }), async (frames) => {
      for (const f of frames) noteAccepted(f);
      await arena.sendFrames(frames);
      inputs += frames.length;
      batches += 1;
      if (batches % 10 === 0) worstBystanderMs = Math.max(worstBystanderMs, await arena.bystanderPing());
      if (arena.problems.length > 0) {
        failing = frames;
        return false;
      }
      return true;
    }),
    { numRuns: 1_000_000, interruptAfterTimeLimit: budget, endOnFailure: true },
  ).catch((err: unknown) => {
    if (failing !== undefined) {
      const file = saveToCorpus({ kind: 'frame', why: arena.problems.join('; '), input: failing.map((f) => (Buffer.isBuffer(f) ? { base64: f.toString('base64') } : f)) });
      t.comment(`failing input saved to test/fuzz/corpus/${file}`);
    }
    throw err;
  });
  const seconds = (Date.now() - started) / 1000;
  t.comment(`frame fuzz: ${inputs} frames in ${batches} batches, ${seconds.toFixed(1)} s; bystander worst ping ${worstBystanderMs.toFixed(1)} ms`);
  t.same(arena.problems, [], 'every reply and close code was documented');
  t.ok(inputs > 500, `a meaningful number of inputs (${inputs})`);
  t.ok(worstBystanderMs < BYSTANDER_PATIENCE_MS, `the bystander was answered throughout (worst ${worstBystanderMs.toFixed(0)} ms)`);
  const stored = arena.stored();
  const rows = arena.storedRows();
  // A fuzzed `delete` or `edit` may hit one of the fuzzer's own messages: its stored text is then blanked.
  const fromAccepted = (r: { client_msg_id: string; body: string; changed: number }): boolean =>
    acceptedSends.get(r.client_msg_id)?.has(r.body) === true || (acceptedSends.has(r.client_msg_id) && r.body === '' && r.changed === 1);
  const strays = rows.filter((r) => !fromAccepted(r) || String(r.room_id) !== arena.ownRoom);
  t.comment(`${rows.filter((r) => r.changed === 1).length} of the stored messages were edited or deleted by fuzzed frames`);
  t.same(strays, [], `each of the ${rows.length} stored messages came from a send the parser accepted (${arena.acked.size} acked; a socket closed by strikes can lose an ack, not a row)`);
  t.ok(rows.length <= acceptedSends.size, 'no more rows than accepted clientMsgIds (one row per id at most)');
  t.equal(stored.inOtherRoom, 0, 'nothing reached the room the fuzzer is not in');
  t.ok((await fetch(`${arena.s.http}/healthz`)).ok, 'the server is healthy');
  // A leak is what stays after V8 collects: live objects on the heap, or memory outside it
  // (uWS, SQLite, the store's threads). Measured: heap +3 MiB after 126k frames and +8 MiB
  // after 603k (this test's own record of accepted sends), outside -140 to +26 MiB, quiet or
  // beside two CPU hogs. The heap bound grows with the inputs so that a server keeping
  // ~200 bytes a frame fails at any fuzzing rate (one keeping 600 did, at +64 MiB).
  const after = settledMemory();
  const heapGrowth = after.heapMiB - before.heapMiB;
  const outsideGrowth = after.outsideHeapMiB - before.outsideHeapMiB;
  t.comment(`memory after collection: heap ${before.heapMiB.toFixed(0)} -> ${after.heapMiB.toFixed(0)} MiB, outside the heap ${before.outsideHeapMiB.toFixed(0)} -> ${after.outsideHeapMiB.toFixed(0)} MiB`);
  const heapBound = 16 + (64 * inputs) / 1048576;
  t.ok(heapGrowth < heapBound, `live heap bounded (+${heapGrowth.toFixed(1)} MiB, bound ${heapBound.toFixed(1)})`);
  // Outside the heap the process keeps 4-7.4 KiB per frame sent (measured the same before and
  // after this file's last changes, with or without MALLOC_ARENA_MAX=2: +85 to +259 MiB for
  // 16k to 35k frames; the client sockets and this test's own records share the process), so
  // its bound grows with the inputs too: a server keeping 16 KiB or more per frame still fails.
  const outsideBound = 64 + (16 * 1024 * inputs) / 1048576;
  t.ok(outsideGrowth < outsideBound, `memory outside the heap bounded (+${outsideGrowth.toFixed(0)} MiB, bound ${outsideBound.toFixed(0)})`);
});
