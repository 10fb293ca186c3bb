import t from 'tap';
import { verifyPassword } from '../../src/auth/password.js';
import { roost } from './run.js';
import { userData } from './user-data.js';

/** enable, role, passwd --generate: kept apart from user-commands.test.ts so each file stays well inside tap's timeout. */
const { data, userRow, auditActions } = userData(t);

t.test('user passwd --generate prints a generated password once, and it is the one stored', async (t) => {
  await roost(['user', 'add', 'gina', '--data', data]);
  const r = await roost(['user', 'passwd', 'gina', '--generate', '--data', data]);
  t.equal(r.code, 0, r.stderr);
  const printed = r.stdout.match(/^password: (\S+)$/gm) ?? [];
  t.equal(printed.length, 1, 'printed once');
  t.equal(await verifyPassword(printed[0]?.slice('password: '.length) ?? '', userRow('gina').hash), true);
  t.equal((await roost(['user', 'passwd', 'gina', '--generate', '--password-stdin', '--data', data], { input: 'x\n' })).code, 2, 'one source only');
  t.match(auditActions().at(-1), { action: 'user.passwd', details: /"gina"/ });
});

t.test('user enable undoes disable, and is audited', async (t) => {
  await roost(['user', 'add', 'hal', '--data', data]);
  await roost(['user', 'disable', 'hal', '--data', data]);
  t.equal(userRow('hal').disabled, 1);
  const r = await roost(['user', 'enable', 'hal', '--data', data]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^enabled hal$/m);
  t.equal(userRow('hal').disabled, 0);
  t.match(auditActions().at(-1), { action: 'user.enable', details: /"changed":true/ });
});

t.test('user role sets admin or member, and is audited', async (t) => {
  const up = await roost(['user', 'role', 'hal', 'admin', '--data', data]);
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, /hal is now admin/);
  t.equal(userRow('hal').role, 'admin');
  t.match(auditActions().at(-1), { action: 'user.role', details: /"role":"admin","changed":true/ });
  const bad = await roost(['user', 'role', 'hal', 'owner', '--data', data]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /admin or member/);
  t.equal(userRow('hal').role, 'admin', 'nothing changed');
});
