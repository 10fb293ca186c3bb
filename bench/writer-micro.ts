/**
 * The writer thread's capacity without the network: BatchApplier.apply on a
 * scratch database (synchronous=FULL) in batches, plus the cost of the pieces
 * of one message's write, to say which change to the store would pay.
 *
 *   node dist/bench/writer-micro.js [--messages 100000] [--batch 1000]
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BatchApplier } from '../src/store/write/batch-applier.js';
import { WRITER_CACHE_KIB } from '../src/store/db/database.js';
import { scratchStore } from './lib/scratch-store.js';
import type { WriteOp } from '../src/store/write/write-ops.js';

const { values: a } = parseArgs({ options: { messages: { type: 'string', default: '100000' }, batch: { type: 'string', default: '1000' } } });
const total = Number(a.messages);
const batch = Number(a.batch);
const ROOMS = 100;
const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

function timeIt(label: string, n: number, fn: (i: number) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const us = ((performance.now() - t0) * 1000) / n;
  log(`${label}: ${us.toFixed(2)} µs each (${n} runs)`);
  return us;
}

function applierRun(searchIndex: boolean, cacheKiB = WRITER_CACHE_KIB): number {
  const { dir, db } = scratchStore('micro', ROOMS, cacheKiB);
  try {
    const applier = new BatchApplier(db, { searchIndex });
    const body = 'hello from the writer micro-benchmark, sixty-four bytes of text';
    const t0 = performance.now();
    for (let done = 0; done < total; done += batch) {
      const ops: WriteOp[] = [];
      for (let i = done; i < Math.min(total, done + batch); i++) {
        ops.push({ k: 'send', room: (i % ROOMS) + 1, user: (i % ROOMS) + 1, clientMsgId: `c${i}`, body });
      }
      applier.apply(ops, Date.now());
    }
    const perSecond = total / ((performance.now() - t0) / 1000);
    log(`BatchApplier.apply, ${batch} sends per transaction, search index ${searchIndex ? 'on' : 'off'}, page cache ${cacheKiB} KiB: ${Math.round(perSecond)} messages/s`);
    const find = db.prepare('SELECT id, room_id, seq, ts FROM messages WHERE sender_id = ? AND client_msg_id = ?');
    timeIt('  idempotency lookup (sender, clientMsgId), a miss', 100_000, (i) => find.get((i % ROOMS) + 1, `miss${i}`));
    const member = db.prepare('SELECT read_seq FROM members WHERE room_id = ? AND user_id = ?');
    timeIt('  membership lookup', 100_000, (i) => member.get((i % ROOMS) + 1, (i % ROOMS) + 1));
    db.close();
    return perSecond;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Rooms of 50 where every member reads each message (the chat scenario with reads): batches of
 * one message per room, with and without the other 49 members' reads of it; the difference is
 * what the reads cost the writer.
 */
function readsRun(): void {
  const rooms = 20;
  const size = 50;
  const batches = 300;
  const { dir, db } = scratchStore('reads', rooms, WRITER_CACHE_KIB, size);
  try {
    const applier = new BatchApplier(db);
    const body = 'hello from the writer micro-benchmark, sixty-four bytes of text';
    let n = 0;
    const run = (reads: boolean): number => {
      const t0 = performance.now();
      for (let b = 0; b < batches; b++) {
        const ops: WriteOp[] = [];
        for (let r = 0; r < rooms; r++) {
          const first = r * size + 1;
          ops.push({ k: 'send', room: r + 1, user: first, clientMsgId: `c${n++}`, body });
          // The seq read is past the room's last: the writer clamps it to the message just sent.
          if (reads) for (let m = 1; m < size; m++) ops.push({ k: 'read', room: r + 1, user: first + m, seq: Number.MAX_SAFE_INTEGER });
        }
        applier.apply(ops, Date.now());
      }
      return (performance.now() - t0) * 1000;
    };
    run(true);
    const plain = run(false);
    const withReads = run(true);
    const messages = batches * rooms;
    log(`BatchApplier.apply, ${rooms} rooms of ${size}, one message per room per transaction: ${(plain / messages).toFixed(1)} µs per message;`
      + ` with every other member's read of it ${(withReads / messages).toFixed(1)} µs: ${((withReads - plain) / (messages * (size - 1))).toFixed(2)} µs per read`);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
readsRun();
applierRun(true);
applierRun(false);
// What the thread's cache was (1/64 of RAM, at most 64 MiB), to show what a big cache costs a connection that commits.
applierRun(true, 64 * 1024);
const prev = Buffer.alloc(32, 7);
const canonical = JSON.stringify([12, 3456, 789012, 34, 'client-msg-id-0001', Date.now(), 'hello from the writer micro-benchmark, sixty-four bytes of text']);
timeIt('message hash: createHash().update(prev).update(json).digest()', 200_000, () => createHash('sha256').update(prev).update(canonical).digest());
timeIt('message hash: crypto.hash(sha256, concat(prev, json)) one-shot', 200_000, () => oneShotHash('sha256', Buffer.concat([prev, Buffer.from(canonical)]), 'buffer'));
timeIt('message frame JSON.stringify', 200_000, (i) => JSON.stringify({ type: 'message', room: '12', seq: i, msgId: String(i), from: '34', body: 'hello from the writer micro-benchmark, sixty-four bytes of text', ts: 1 }));
log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
