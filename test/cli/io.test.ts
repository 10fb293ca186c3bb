import t from 'tap';
import { UsageError, wholeNumber } from '../../src/cli/io.js';

t.test('wholeNumber takes digits within its range', async (t) => {
  t.equal(wholeNumber('30', '--days', 1, 3660), 30);
  t.equal(wholeNumber('1', '--days', 1, 3660), 1);
  t.equal(wholeNumber('3660', '--days', 1, 3660), 3660);
  t.equal(wholeNumber('0', '--uses', 0, 999_999), 0);
});

t.test('wholeNumber refuses what is not a count typed as digits, naming the flag and its range', async (t) => {
  for (const text of ['0x10', '1e2', ' 5 ', '5.0', '-1', '', 'ten', '10abc', '0', '3661', '99999999999']) {
    t.throws(() => wholeNumber(text, '--days', 1, 3660), new UsageError(`--days must be a whole number from 1 to 3660, not "${text}"`), JSON.stringify(text));
  }
});
