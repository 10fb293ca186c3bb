/**
 * What parking the writer thread costs: the time from submit to result of
 * the first write after a park (the thread starts and opens the database
 * first) against the write right after it, on a scratch folder.
 *
 *   node dist/bench/writer-park.js [--rounds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addUser, createRoom } from '../src/store/admin/admin.js';
import { openWritable } from '../src/store/db/database.js';
import { Writer } from '../src/store/write/writer.js';

const { values: a } = parseArgs({ options: { rounds: { type: 'string', default: '10' } } });
const rounds = Math.max(1, Math.min(1000, Number(a.rounds)));
const PARK_AFTER_MS = 200;
/** Give-up point for one park; it comes after PARK_AFTER_MS. */
const PARK_DEADLINE_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), 'roost-writer-park-'));
try {
  const db = openWritable(dir);
  const user = addUser(db, 'alice', 'member', 'x').id;
  const room = createRoom(db, 'general', ['alice'], undefined, { entries: false }).id;
  db.close();
  let parks = 0;
  const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100, parkAfterMs: PARK_AFTER_MS, onPark: (p) => { if (p) parks++; } });
  const timed = async (clientMsgId: string): Promise<number> => {
    const t0 = performance.now();
    const r = await writer.run({ k: 'send', room, user, clientMsgId, body: 'hello' });
    if (!r.ok) throw new Error(`write failed: ${r.message}`);
    return performance.now() - t0;
  };
  const afterPark: number[] = [];
  const running: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const before = parks;
    const deadline = Date.now() + PARK_DEADLINE_MS;
    while (parks === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (parks === before) throw new Error('the writer did not park');
    afterPark.push(await timed(`cold-${i}`));
    running.push(await timed(`warm-${i}`));
  }
  await writer.close();
  const median = (xs: number[]): number => xs.slice().sort((x, y) => x - y)[xs.length >> 1] ?? NaN;
  process.stdout.write(`first write after a park: median ${median(afterPark).toFixed(1)} ms, max ${Math.max(...afterPark).toFixed(1)} ms (${rounds} rounds)\n`);
  process.stdout.write(`the write right after it: median ${median(running).toFixed(1)} ms, max ${Math.max(...running).toFixed(1)} ms\n`);
  process.stdout.write(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
