import t from 'tap';
import { SessionCache } from '../../src/auth/session-cache.js';
import type { SessionRow } from '../../src/auth/sessions.js';

const row: SessionRow = { userId: 1, name: 'alice', role: 'member', disabled: false, expiresAt: 10_000_000, lastUsedAt: 0 };

t.test('a row is trusted for its time, then read again', async (t) => {
  const c = new SessionCache(1000, 10);
  c.put('a', row, 0);
  t.equal(c.get('a', 999), row);
  t.equal(c.get('a', 1000), undefined, 'its time is up');
  t.equal(c.get('a', 0), undefined, 'and it is gone');
});

t.test('forgotten tokens, and everything, can be dropped; past its bound it starts over', async (t) => {
  const c = new SessionCache(1000, 3);
  for (const h of ['a', 'b', 'c']) c.put(h, row, 0);
  c.forget(['b']);
  t.equal(c.get('b', 1), undefined);
  t.equal(c.get('a', 1), row);
  c.put('d', row, 0);
  c.put('e', row, 0);
  t.equal(c.get('a', 1), undefined, 'the fourth row started it over');
  t.equal(c.get('e', 1), row);
  c.clear();
  t.equal(c.get('e', 1), undefined);
});
