import t from 'tap';
import { roost } from './run.js';
import { userData } from './user-data.js';

/** Display names from the CLI: a file of its own so each CLI test file stays well inside tap's timeout on a loaded machine. */
const { data, userRow, auditActions } = userData(t);

t.test('a display name in any script goes with --display-name; a user name stays an ASCII handle', async (t) => {
  const added = await roost(['user', 'add', 'wang', '--display-name', '  王芳 ', '--data', data]);
  t.equal(added.code, 0, added.stderr);
  t.match(added.stdout, /added member wang \(id \d+\) shown as "王芳"/);
  t.equal(userRow('wang').display_name, '王芳');
  t.match(auditActions().at(-1), { action: 'user.profile', details: /王芳/ });

  const refused = await roost(['user', 'add', '王芳', '--data', data]);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /"王芳" cannot be a user name: user names are short ASCII handles/);
  t.match(refused.stderr, /--display-name "王芳"/, 'the error says how to show that name');

  const set = await roost(['user', 'profile', 'wang', '--display-name', 'Wáng Fāng\u202e', '--data', data]);
  t.equal(set.code, 0, set.stderr);
  t.equal(userRow('wang').display_name, 'Wáng Fāng', 'cleaned as set_profile cleans it');
  const shown = await roost(['user', 'profile', 'wang', '--data', data]);
  t.match(shown.stdout, /display name: Wáng Fāng/);
  const tooLong = await roost(['user', 'profile', 'wang', '--display-name', '王'.repeat(65), '--data', data]);
  t.equal(tooLong.code, 2);
  t.equal(userRow('wang').display_name, 'Wáng Fāng', 'nothing changed');
  t.equal((await roost(['user', 'profile', 'wang', '--display-name', '', '--data', data])).code, 0);
  t.equal(userRow('wang').display_name, '', 'cleared');
});
