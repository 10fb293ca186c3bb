import t from 'tap';
import { cleanDisplayName } from '../../src/auth/display-name.js';

t.test('any script is a display name, trimmed and with runs of spaces made one', async (t) => {
  t.same(cleanDisplayName('  王芳 '), { ok: true, value: '王芳' });
  t.same(cleanDisplayName('Zoë   Ångström'), { ok: true, value: 'Zoë Ångström' });
  t.same(cleanDisplayName('محمد'), { ok: true, value: 'محمد' });
  t.same(cleanDisplayName('e\u0301'), { ok: true, value: 'é' }, 'NFC');
  t.same(cleanDisplayName('👩‍💻 dev'), { ok: true, value: '👩‍💻 dev' }, 'emoji joiners stay');
});

t.test('control and bidi formatting characters are removed', async (t) => {
  t.same(cleanDisplayName('ann\u202eadmin\u202c'), { ok: true, value: 'annadmin' });
  t.same(cleanDisplayName('bob\u0000\u0007\u2066x\u2069\u200f'), { ok: true, value: 'bobx' });
  t.same(cleanDisplayName('line\nbreak'), { ok: true, value: 'line break' });
});

t.test('blank clears; nothing left, or more than 64 characters, is refused', async (t) => {
  t.same(cleanDisplayName(''), { ok: true, value: '' });
  t.same(cleanDisplayName('   '), { ok: true, value: '' });
  t.match(cleanDisplayName('\u202e\u0001'), { ok: false, message: /no characters/ });
  t.same(cleanDisplayName('王'.repeat(64)), { ok: true, value: '王'.repeat(64) });
  t.match(cleanDisplayName('王'.repeat(65)), { ok: false, message: /at most 64/ });
  t.same(cleanDisplayName('😀'.repeat(64)), { ok: true, value: '😀'.repeat(64) }, 'counted in characters, not UTF-16 units');
});
