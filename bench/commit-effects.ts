/**
 * What the writer's commits cost beyond themselves, on a scratch database:
 *
 * 1. A reader's first history page after a commit, by the reader's page cache
 *    size. In WAL mode a connection discards its cache when it starts a read
 *    after another connection committed; the gateway's reader does that once
 *    per commit, on the event loop.
 * 2. The tail of small commits (3 messages, as at 1,000 msg/s from many
 *    senders) after the history has grown, with and without the search index:
 *    FTS5 merges its segments inside some commits.
 *
 *   node dist/bench/commit-effects.js [--fill 800000] [--commits 5000] [--skip reader,tail]
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openReadOnly, DEFAULT_CACHE_KIB, type Db } from '../src/store/db/database.js';
import { scratchStore } from './lib/scratch-store.js';
import { BatchApplier } from '../src/store/write/batch-applier.js';
import type { WriteOp } from '../src/store/write/write-ops.js';

const { values: a } = parseArgs({
  options: {
    fill: { type: 'string', default: '800000' },
    commits: { type: 'string', default: '5000' },
    skip: { type: 'string', default: '' },
  },
});
const skip = new Set((a.skip ?? '').split(','));
const BODY = 'hello from the commit-effects benchmark, about sixty-four bytes';
const ROOMS = 10;
const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** A scratch store with ROOMS rooms of one member each, and a sender of `count`-message batches. */
function scratch(searchIndex: boolean): { dir: string; db: Db; send: (count: number) => void } {
  const { dir, db } = scratchStore('commits', ROOMS);
  const applier = new BatchApplier(db, { searchIndex });
  let n = 0;
  const send = (count: number): void => {
    const ops: WriteOp[] = [];
    for (let i = 0; i < count; i++, n++) {
      ops.push({ k: 'send', room: (n % ROOMS) + 1, user: (n % ROOMS) + 1, clientMsgId: `c${n}`, body: `${BODY} ${n}` });
    }
    applier.apply(ops, Date.now());
  };
  return { dir, db, send };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function readerAfterCommit(): void {
  const s = scratch(true);
  try {
    for (let i = 0; i < 4000; i++) s.send(50);
    for (const cacheKiB of [64 * 1024, DEFAULT_CACHE_KIB, 64 * 1024, DEFAULT_CACHE_KIB]) {
      const reader = openReadOnly(s.dir, cacheKiB);
      const page = reader.prepare<[number, number], { id: number; body: string }>(
        'SELECT id, body FROM messages WHERE room_id = ? AND seq <= ? ORDER BY seq DESC LIMIT +50');
      // Fill the cache the way a day of history pages would.
      for (let r = 1; r <= ROOMS; r++) for (let seq = 20_000; seq > 0; seq -= 50) page.all(r, seq);
      let first = 0;
      let again = 0;
      const rounds = 300;
      for (let i = 0; i < rounds; i++) {
        s.send(50);
        let t = performance.now();
        page.all((i % ROOMS) + 1, Number.MAX_SAFE_INTEGER);
        first += performance.now() - t;
        t = performance.now();
        page.all((i % ROOMS) + 1, Number.MAX_SAFE_INTEGER);
        again += performance.now() - t;
      }
      log(`reader cache ${cacheKiB} KiB: newest 50 messages, first read after a commit ${((first / rounds) * 1000).toFixed(0)} µs, the same read again ${((again / rounds) * 1000).toFixed(0)} µs`);
      reader.close();
    }
  } finally {
    s.db.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
}

function commitTail(searchIndex: boolean, fill: number, commits: number): void {
  const s = scratch(searchIndex);
  try {
    for (let done = 0; done < fill; done += 280) s.send(280);
    const times: number[] = [];
    for (let i = 0; i < commits; i++) {
      const t = performance.now();
      s.send(3);
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    const f = (q: number): string => quantile(times, q).toFixed(2);
    log(`after ${fill} messages, ${commits} commits of 3, search index ${searchIndex ? 'on' : 'off'}: commit p50 ${f(0.5)}, p99 ${f(0.99)}, p99.9 ${f(0.999)}, max ${f(1)} ms; over 10 ms: ${times.filter((x) => x > 10).length}`);
  } finally {
    s.db.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
}

log(`load average ${load()}`);
if (!skip.has('reader')) readerAfterCommit();
if (!skip.has('tail')) {
  commitTail(true, Number(a.fill), Number(a.commits));
  commitTail(false, Number(a.fill), Number(a.commits));
}
log(`load average ${load()}`);
