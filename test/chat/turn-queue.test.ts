import t from 'tap';
import { TurnQueue } from '../../src/chat/turn-queue.js';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A clock that moves `step` ms each time it is read: every job "takes" about that long. */
function steppingClock(step: number): () => number {
  let now = 0;
  return () => (now += step);
}

t.test('jobs run in order, a slice per event-loop turn, so the loop gets control between slices', async (t) => {
  const ran: number[] = [];
  // Each slice reads the clock once at its start and once per job: with steps of 4 and a 10 ms slice, 3 jobs a turn.
  const q = new TurnQueue(10, 100, (err) => t.fail(String(err)), steppingClock(4));
  for (let i = 0; i < 7; i++) q.push(() => ran.push(i));
  t.same(ran, [], 'nothing runs inside push: the frame handler returns at once');
  await nextTurn();
  t.same(ran, [0, 1, 2], 'one turn runs one slice');
  await nextTurn();
  t.same(ran, [0, 1, 2, 3, 4, 5], 'the next turn the next slice');
  for (let turn = 0; turn < 10 && q.length > 0; turn++) await nextTurn();
  t.same(ran, [0, 1, 2, 3, 4, 5, 6]);
});

t.test('a slice always runs at least one job, however slow the clock says it is', async (t) => {
  const ran: number[] = [];
  const q = new TurnQueue(1, 100, () => undefined, steppingClock(1000));
  for (let i = 0; i < 3; i++) q.push(() => ran.push(i));
  for (let turn = 0; turn < 10 && q.length > 0; turn++) await nextTurn();
  t.same(ran, [0, 1, 2]);
});

t.test('a job that throws is reported and the jobs after it still run', async (t) => {
  const errors: unknown[] = [];
  const ran: string[] = [];
  const q = new TurnQueue(10, 100, (err) => errors.push(err));
  q.push(() => ran.push('a'));
  q.push(() => { throw new Error('boom'); });
  q.push(() => ran.push('c'));
  for (let turn = 0; turn < 10 && q.length > 0; turn++) await nextTurn();
  t.same(ran, ['a', 'c']);
  t.match(errors, [{ message: 'boom' }]);
  q.push(() => ran.push('d'));
  for (let turn = 0; turn < 10 && q.length > 0; turn++) await nextTurn();
  t.same(ran, ['a', 'c', 'd'], 'the queue keeps working after it emptied');
});

t.test('at most max jobs wait: past it push refuses and queues nothing, and accepts again once the queue drains', async (t) => {
  const ran: number[] = [];
  const q = new TurnQueue(10, 3, (err) => t.fail(String(err)));
  for (let i = 0; i < 3; i++) t.equal(q.push(() => ran.push(i)), true, `job ${i} queued`);
  t.equal(q.push(() => ran.push(99)), false, 'the fourth waiting job is refused');
  t.equal(q.length, 3);
  for (let turn = 0; turn < 10 && q.length > 0; turn++) await nextTurn();
  t.same(ran, [0, 1, 2], 'the refused job never ran');
  t.equal(q.push(() => ran.push(4)), true, 'room again once drained');
});
