import t from 'tap';
import { UserFrameBuckets } from '../../src/gateway/user-rate.js';

t.test('per-user buckets exist only while not refilled: frames by others sweep the refilled ones away', async (t) => {
  const buckets = new UserFrameBuckets(10, 5);
  for (let user = 1; user <= 100; user++) t.ok(buckets.take(user, 0));
  t.equal(buckets.size, 100, 'each user who just sent holds an entry');
  // 100 ms later every one of them has its token back; 200 frames from one user sweep the rest.
  for (let i = 0; i < 200; i++) buckets.take(1000, 100 + i * 100);
  t.equal(buckets.size, 1, 'only the user still sending is kept');
});

t.test('a drained bucket survives sweeps and the close of the last socket', async (t) => {
  const buckets = new UserFrameBuckets(1, 3);
  for (let i = 0; i < 3; i++) t.ok(buckets.take(7, 0));
  t.notOk(buckets.take(7, 0), 'over the burst');
  for (let i = 0; i < 50; i++) buckets.take(8, i);
  buckets.closed(7, 0, 100);
  t.notOk(buckets.take(7, 100), 'reconnecting gives no fresh burst');
  t.ok(buckets.take(7, 1000), 'a second later: one more frame');
});
