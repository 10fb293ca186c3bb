import t from 'tap';
import { cutText } from '../../src/protocol/text-cut.js';

t.test('text is cut to at most max UTF-16 units, never inside a surrogate pair', async (t) => {
  t.equal(cutText('short', 10), 'short', 'text within the limit is returned as it is');
  t.equal(cutText('abcdef', 3), 'abc');
  const cut = cutText(`${'x'.repeat(99)}😀 tail`, 100);
  t.equal(cut, 'x'.repeat(99), 'an emoji that would be split is left out whole');
  t.ok(cut.isWellFormed());
  t.equal(cutText(`${'x'.repeat(98)}😀 tail`, 100), `${'x'.repeat(98)}😀`, 'one that fits is kept');
});
