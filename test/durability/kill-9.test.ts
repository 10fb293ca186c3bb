import t from 'tap';
import { rmSync } from 'node:fs';
import { slowdown } from '../helpers/roost-command.js';
import { checkHistory, login, prepareData, startChild, withStore } from './child-server.js';
import { startSender, type Sender } from './load.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A bound for a race: its timer does not keep the test process alive once the race is won. */
const deadline = (ms: number): Promise<null> => new Promise((r) => setTimeout(() => r(null), ms).unref());

/** Waits until the senders hold at least `n` acks (bounded), so a kill always lands in real traffic, however slow the machine. */
async function acksReach(senders: readonly Sender[], n: number): Promise<void> {
  const until = Date.now() + 60_000 * slowdown;
  while (senders.reduce((k, s) => k + s.acked.length, 0) < n) {
    if (Date.now() > until) throw new Error(`fewer than ${n} acks within ${60 * slowdown} s`);
    await sleep(20);
  }
}

t.test('kill -9 at a random moment loses nothing acked; seqs stay 1..n; no clientMsgId twice', async (t) => {
  const f = await prepareData(['alice', 'bob'], 3);
  t.teardown(() => rmSync(f.dataDir, { recursive: true, force: true }));
  const child = await startChild(f);
  t.teardown(() => child.proc.kill('SIGKILL'));
  const tokens = { alice: await login(child.port, 'alice'), bob: await login(child.port, 'bob') };
  const senders: Sender[] = [];
  for (let i = 0; i < 6; i++) {
    const name = i % 2 === 0 ? 'alice' : 'bob';
    senders.push(startSender(child.port, tokens[name], f.users[name] ?? 0, f.rooms, `s${i}`));
  }
  // SIGKILL at a random moment up to a second after the first 60 acks.
  await acksReach(senders, 60);
  const delay = Math.floor(Math.random() * 1000) * slowdown;
  await sleep(delay);
  child.proc.kill('SIGKILL');
  const exit = await child.exited;
  t.equal(exit.signal, 'SIGKILL');
  await Promise.race([Promise.all(senders.map((s) => s.done)), deadline(3000 * slowdown)]);
  const acked = senders.flatMap((s) => s.acked);
  const sent = senders.reduce((n, s) => n + s.sent, 0);
  t.ok(acked.length >= 60, `${acked.length} acks of ${sent} sends before the kill, ${delay} ms after the 60th`);

  // The server starts again on the same folder, and the history is whole.
  const again = await startChild(f);
  t.teardown(() => again.proc.kill('SIGKILL'));
  const verdict = withStore(f.dataDir, (db) => checkHistory(db, acked, f.rooms));
  t.same(verdict.lost, [], 'every acked message is stored with its room, seq and msgId');
  t.same(verdict.gaps, [], 'each room\'s seqs are exactly 1..n');
  t.equal(verdict.duplicates, 0, 'no (sender, clientMsgId) stored twice');
  const stored = withStore(f.dataDir, (db) => (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n);
  t.ok(stored >= acked.length && stored <= sent, `${stored} stored: at least what was acked, at most what was sent`);

  // Retrying an acked message after the restart returns the first ack; new sends continue the seqs.
  const token = await login(again.port, 'alice');
  const first = acked.find((a) => a.user === f.users.alice);
  const retry = startSender(again.port, token, f.users.alice ?? 0, [first?.room ?? ''], 'retry', 1);
  await acksReach([retry], 1);
  retry.stop();
  t.ok(retry.acked.length > 0, 'the restarted server takes new messages');
  await again.proc.kill('SIGTERM');
  t.equal((await again.exited).code, 0);
  const after = withStore(f.dataDir, (db) => checkHistory(db, [...acked, ...retry.acked], f.rooms));
  t.same(after, { lost: [], gaps: [], duplicates: 0 });
});

t.test('SIGTERM: clients get 1001, the process exits 0 within 10 s, and everything acked is stored', async (t) => {
  const f = await prepareData(['alice', 'bob'], 2);
  t.teardown(() => rmSync(f.dataDir, { recursive: true, force: true }));
  const child = await startChild(f);
  t.teardown(() => child.proc.kill('SIGKILL'));
  const tokens = { alice: await login(child.port, 'alice'), bob: await login(child.port, 'bob') };
  const senders = [0, 1, 2, 3].map((i) => {
    const name = i % 2 === 0 ? 'alice' : 'bob';
    return startSender(child.port, tokens[name], f.users[name] ?? 0, f.rooms, `t${i}`);
  });
  await acksReach(senders, 20);
  const started = Date.now();
  child.proc.kill('SIGTERM');
  // Ten seconds on real hardware; an emulated CPU gets its slowdown.
  const limit = 10_000 * slowdown;
  const closes = await Promise.race([Promise.all(senders.map((s) => s.done)), deadline(limit)]);
  t.same(closes?.map((c) => c.code), [1001, 1001, 1001, 1001], 'every socket closed with 1001 (going away)');
  const exit = await Promise.race([child.exited, deadline(limit)]);
  const took = Date.now() - started;
  t.same(exit, { code: 0, signal: null }, `exited 0 after ${took} ms`);
  t.ok(took < limit, `within ${limit} ms`);
  const acked = senders.flatMap((s) => s.acked);
  t.ok(acked.length >= 20, `${acked.length} acks before the SIGTERM`);
  const verdict = withStore(f.dataDir, (db) => checkHistory(db, acked, f.rooms));
  t.same(verdict, { lost: [], gaps: [], duplicates: 0 });
});
