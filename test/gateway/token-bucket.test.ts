import t from 'tap';
import { FULL_BUCKET, isFull, msUntilToken, take } from '../../src/gateway/token-bucket.js';

/** Takes as many tokens as the bucket gives at `now`; returns how many and the bucket after. */
function drain(fullAt: number, now: number, rate: number, burst: number): { taken: number; fullAt: number } {
  let taken = 0;
  for (let i = 0; i < burst + 10; i++) {
    const next = take(fullAt, now, rate, burst);
    if (next === null) break;
    fullAt = next;
    taken += 1;
  }
  return { taken, fullAt };
}

t.test('a fresh bucket gives its burst at once, then one token per 1/rate seconds', async (t) => {
  const first = drain(FULL_BUCKET, 1_000_000, 20, 100);
  t.equal(first.taken, 100, 'the burst');
  t.equal(take(first.fullAt, 1_000_000, 20, 100), null, 'empty');
  t.equal(drain(first.fullAt, 1_000_049, 20, 100).taken, 0, '49 ms later: still empty');
  t.equal(drain(first.fullAt, 1_000_050, 20, 100).taken, 1, '50 ms later: one token');
  t.equal(drain(first.fullAt, 1_001_000, 20, 100).taken, 20, 'a second later: 20 tokens');
  t.equal(drain(first.fullAt, 1_100_000, 20, 100).taken, 100, 'long after: never more than the burst');
});

t.test('slow rates and a burst of one', async (t) => {
  const strike = drain(FULL_BUCKET, 0, 0.2, 20);
  t.equal(strike.taken, 20);
  t.equal(drain(strike.fullAt, 4_999, 0.2, 20).taken, 0, 'one strike back per 5 s, not before');
  t.equal(drain(strike.fullAt, 5_000, 0.2, 20).taken, 1);
  const one = drain(FULL_BUCKET, 0, 3, 1);
  t.equal(one.taken, 1);
  t.equal(drain(one.fullAt, 333, 3, 1).taken, 0);
  t.equal(drain(one.fullAt, 334, 3, 1).taken, 1);
});

t.test('a refused take leaves the bucket as it was; full means refilled', async (t) => {
  const empty = drain(FULL_BUCKET, 0, 10, 5).fullAt;
  t.equal(empty, 500);
  t.equal(take(empty, 0, 10, 5), null);
  t.notOk(isFull(empty, 499));
  t.ok(isFull(empty, 500));
  t.ok(isFull(FULL_BUCKET, 0));
});

t.test('msUntilToken is exactly how long a refused take must wait', async (t) => {
  t.equal(msUntilToken(FULL_BUCKET, 0, 20, 100), 0, 'a full bucket: no wait');
  const empty = drain(FULL_BUCKET, 1_000_000, 20, 100).fullAt;
  const wait = msUntilToken(empty, 1_000_000, 20, 100);
  t.equal(wait, 50, 'one token per 50 ms');
  t.equal(take(empty, 1_000_000 + wait - 1, 20, 100), null, 'a ms sooner: still refused');
  t.not(take(empty, 1_000_000 + wait, 20, 100), null, 'after the wait: a token');
  const third = drain(FULL_BUCKET, 0, 3, 1).fullAt;
  t.equal(msUntilToken(third, 0, 3, 1), 334, 'rounded up, never short: 1000 / 3 ms');
  t.not(take(third, 334, 3, 1), null);
});
