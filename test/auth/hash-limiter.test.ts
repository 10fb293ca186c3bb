import t from 'tap';
import { HashLimiter } from '../../src/auth/hash-limiter.js';
import { MAX_CONCURRENT_HASHES, hashPassword, passwordHashes, verifyPassword } from '../../src/auth/password.js';

/** A job that runs until the test lets it finish. */
function gate(): { job: () => Promise<number>; open: (value: number) => void; started: boolean } {
  const g = { started: false, open: (_: number): void => undefined, job: (): Promise<number> => Promise.resolve(0) };
  g.job = () => {
    g.started = true;
    return new Promise<number>((resolve) => (g.open = resolve));
  };
  return g;
}

const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
};

t.test('no more than the bound run at once; the rest wait in order and every one is answered', async (t) => {
  const limit = new HashLimiter(2);
  const gates = Array.from({ length: 6 }, gate);
  const answers = gates.map((g) => limit.run(g.job));
  await ticks();
  t.same(gates.map((g) => g.started), [true, true, false, false, false, false], 'two start, four wait');
  t.equal(limit.active, 2);
  t.equal(limit.waiting, 4);
  gates[1]?.open(1);
  await ticks();
  t.same(gates.map((g) => g.started), [true, true, true, false, false, false], 'a finished job lets the first waiter in');
  // A newcomer arriving while a slot is handed over still waits behind the queue.
  const late = gate();
  const lateAnswer = limit.run(late.job);
  gates[0]?.open(0);
  await ticks();
  t.equal(late.started, false, 'the newcomer did not jump the queue');
  for (let i = 2; i < 6; i += 1) {
    gates[i]?.open(i);
    await ticks();
  }
  late.open(99);
  t.same(await Promise.all(answers), [0, 1, 2, 3, 4, 5], 'every job answered with its own result');
  t.equal(await lateAnswer, 99);
  t.equal(limit.peak, 2, 'never more than two at once');
  t.equal(limit.active, 0);
});

t.test('a job that fails frees its slot for the next', async (t) => {
  const limit = new HashLimiter(1);
  const failed = limit.run(() => Promise.reject(new Error('boom')));
  const next = limit.run(() => Promise.resolve('next'));
  await t.rejects(failed, /boom/);
  t.equal(await next, 'next');
  t.equal(limit.active, 0);
});

t.test('a bound below 1 is refused', async (t) => {
  t.throws(() => new HashLimiter(0), RangeError);
});

t.test('a burst of password checks is all answered, with at most the bound hashing at once', async (t) => {
  const stored = await hashPassword('correct horse battery');
  const tries = ['correct horse battery', 'wrong', 'correct horse battery', 'also wrong', 'correct horse battery', 'nope', 'correct horse battery', 'x'];
  const results = await Promise.all(tries.map((p) => verifyPassword(p, stored)));
  t.same(results, tries.map((p) => p === 'correct horse battery'), 'each check answered correctly');
  t.ok(passwordHashes.peak <= MAX_CONCURRENT_HASHES, `at most ${MAX_CONCURRENT_HASHES} hashed at once (counted ${passwordHashes.peak})`);
  t.equal(passwordHashes.peak, MAX_CONCURRENT_HASHES, 'and the bound was used: the burst did run in parallel');
  t.equal(passwordHashes.active, 0);
});
