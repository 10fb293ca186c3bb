import t from 'tap';
import { SessionCache } from '../../src/auth/session-cache.js';
import type { SessionRow } from '../../src/auth/sessions.js';

const row: SessionRow = { userId: 1, name: 'alice', role: 'member', disabled: false, expiresAt: 10_000_000, lastUsedAt: 0 };

t.test('a row is trusted for its time, then read again', async (t) => {
  const c = new SessionCache(1000, 10, () => 0);
  c.put('a', row, 0);
  t.equal(c.get('a', 999), row);
  t.equal(c.get('a', 1000), undefined, 'its time is up');
  t.equal(c.get('a', 0), undefined, 'and it is gone');
});

t.test('rows read together are read again spread over the last quarter of their time, never later', async (t) => {
  const draws = [0, 0.5, 0.999];
  const c = new SessionCache(1000, 10, () => draws.shift() ?? 0);
  for (const h of ['a', 'b', 'c']) c.put(h, row, 0);
  t.same(['a', 'b', 'c'].map((h) => c.get(h, 749)), [row, row, row], 'every row is trusted for three quarters of its time');
  t.same(['a', 'b', 'c'].map((h) => c.get(h, 875)), [row, undefined, undefined], 'then they expire one by one');
  t.equal(c.get('a', 1000), undefined, 'and none outlives its time');
  const real = new SessionCache(1000, 10);
  real.put('x', row, 0);
  t.equal(real.get('x', 749), row, 'Math.random draws within the same bounds');
  t.equal(real.get('x', 1000), undefined);
});

t.test('forgotten tokens, and everything, can be dropped', async (t) => {
  const c = new SessionCache(1000, 3, () => 0);
  for (const h of ['a', 'b', 'c']) c.put(h, row, 0);
  c.forget(['b']);
  t.equal(c.get('b', 1), undefined);
  t.equal(c.get('a', 1), row);
  c.clear();
  t.equal(c.get('a', 1), undefined);
  t.equal(c.get('c', 1), undefined);
});

t.test('at its bound the row read longest ago makes room, one at a time', async (t) => {
  const c = new SessionCache(1000, 3, () => 0);
  for (const h of ['a', 'b', 'c']) c.put(h, row, 0);
  c.put('d', row, 10);
  t.equal(c.get('a', 11), undefined, 'the oldest read went');
  t.same(['b', 'c', 'd'].map((h) => c.get(h, 11)), [row, row, row], 'every other row is still trusted');
  c.put('c', row, 20);
  t.same(['b', 'c', 'd'].map((h) => c.get(h, 21)), [row, row, row], 'putting a row it holds makes no room, and counts it as read now');
  t.equal(c.get('b', 1001), undefined, 'b expired at its time');
  c.put('b', row, 1001);
  c.put('e', row, 1002);
  t.equal(c.get('d', 1003), undefined, 'rows go in the order they were read, a row read again counting from then');
  t.same(['c', 'b', 'e'].map((h) => c.get(h, 1003)), [row, row, row]);
});
