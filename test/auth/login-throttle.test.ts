import t from 'tap';
import { LoginThrottle } from '../../src/auth/login-throttle.js';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const options = { failuresPerUser: 3, failuresPerIp: 10, backoffMs: 1000 };

t.test('failures below the allowance do not block', async (t) => {
  const clock = fakeClock();
  const th = new LoginThrottle(options, clock.now);
  th.failed('1.1.1.1', 'alice');
  th.failed('1.1.1.1', 'alice');
  t.equal(th.retryAfter('1.1.1.1', 'alice'), 0);
});

t.test('reaching the per-user allowance blocks that (address, user) for the back-off', async (t) => {
  const clock = fakeClock();
  const th = new LoginThrottle(options, clock.now);
  for (let i = 0; i < 3; i++) th.failed('1.1.1.1', 'alice');
  t.equal(th.retryAfter('1.1.1.1', 'alice'), 1000);
  t.equal(th.retryAfter('1.1.1.1', 'ALICE'), 1000, 'user names are case-insensitive');
  clock.advance(400);
  t.equal(th.retryAfter('1.1.1.1', 'alice'), 600);
  clock.advance(600);
  t.equal(th.retryAfter('1.1.1.1', 'alice'), 0);
});

t.test('another address and another user on the same address are not blocked', async (t) => {
  const clock = fakeClock();
  const th = new LoginThrottle(options, clock.now);
  for (let i = 0; i < 3; i++) th.failed('1.1.1.1', 'alice');
  t.equal(th.retryAfter('2.2.2.2', 'alice'), 0);
  t.equal(th.retryAfter('1.1.1.1', 'bob'), 0);
});

t.test('the back-off doubles with each further failure and is capped at an hour', async (t) => {
  const clock = fakeClock();
  const th = new LoginThrottle({ failuresPerUser: 1, failuresPerIp: 1000, backoffMs: 1000 }, clock.now);
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    th.failed('1.1.1.1', 'alice');
    waits.push(th.retryAfter('1.1.1.1', 'alice'));
  }
  t.same(waits, [1000, 2000, 4000, 8000]);
  for (let i = 0; i < 30; i++) th.failed('1.1.1.1', 'alice');
  t.equal(th.retryAfter('1.1.1.1', 'alice'), 60 * 60 * 1000);
});

t.test('the per-address allowance blocks every user name from that address', async (t) => {
  const clock = fakeClock();
  const th = new LoginThrottle({ failuresPerUser: 100, failuresPerIp: 5, backoffMs: 1000 }, clock.now);
  for (let i = 0; i < 5; i++) th.failed('1.1.1.1', `user${i}`);
  t.equal(th.retryAfter('1.1.1.1', 'somebody-new'), 1000);
  t.equal(th.retryAfter('3.3.3.3', 'somebody-new'), 0);
});

t.test('a success clears the (address, user) failures', async (t) => {
  const clock = fakeClock();
  const th = new LoginThrottle(options, clock.now);
  th.failed('1.1.1.1', 'alice');
  th.failed('1.1.1.1', 'alice');
  th.succeeded('1.1.1.1', 'alice');
  th.failed('1.1.1.1', 'alice');
  t.equal(th.retryAfter('1.1.1.1', 'alice'), 0);
});

t.test('old failures are forgotten after 15 quiet minutes', async (t) => {
  const clock = fakeClock();
  const th = new LoginThrottle(options, clock.now);
  th.failed('1.1.1.1', 'alice');
  th.failed('1.1.1.1', 'alice');
  clock.advance(16 * 60 * 1000);
  th.failed('1.1.1.1', 'alice');
  t.equal(th.retryAfter('1.1.1.1', 'alice'), 0);
});

t.test('the table of keys is bounded', async (t) => {
  const clock = fakeClock();
  const th = new LoginThrottle({ ...options, maxKeys: 50 }, clock.now);
  for (let i = 0; i < 1000; i++) th.failed(`10.0.${i >> 8}.${i & 255}`, `u${i}`);
  t.ok(th.size <= 50, `size ${th.size}`);
});
