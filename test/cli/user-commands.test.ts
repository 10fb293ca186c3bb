import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '../../src/auth/password.js';
import { closeWritable, openReadOnly, openWritable } from '../../src/store/db/database.js';
import { roost } from './run.js';

const data = mkdtempSync(join(tmpdir(), 'roost-cli-'));
t.teardown(() => rmSync(data, { recursive: true, force: true }));
// The database a first `roost serve` creates: admin commands refuse a folder without one.
closeWritable(openWritable(data));

function storedHash(name: string): { hash: string; disabled: number; role: string } {
  const db = openReadOnly(data);
  try {
    return db.prepare('SELECT password_hash AS hash, disabled, role FROM users WHERE name = ?').get(name) as { hash: string; disabled: number; role: string };
  } finally {
    db.close();
  }
}

t.test('user add without --password-stdin generates a strong password and prints it', async (t) => {
  const r = await roost(['user', 'add', 'alice', '--data', data]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^added member alice \(id \d+\)$/m);
  const password = /^password: (\S+)$/m.exec(r.stdout)?.[1] ?? '';
  t.match(password, /^[A-Za-z0-9]{20}$/);
  t.equal(await verifyPassword(password, storedHash('alice').hash), true);
});

t.test('user add --password-stdin reads the password and prints none', async (t) => {
  const r = await roost(['user', 'add', 'bob', '--admin', '--password-stdin', '--data', data], { input: 'lantern-orchard-42\n' });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^added admin bob/m);
  t.notMatch(r.stdout, /password/);
  t.equal(storedHash('bob').role, 'admin');
  t.equal(await verifyPassword('lantern-orchard-42', storedHash('bob').hash), true);
});

t.test('a too-short password from stdin is a usage error; a taken name is a failure', async (t) => {
  const short = await roost(['user', 'add', 'carol', '--password-stdin', '--data', data], { input: 'short\n' });
  t.equal(short.code, 2);
  t.match(short.stderr, /^roost: the password must have at least \d+ characters\n$/);
  const taken = await roost(['user', 'add', 'alice', '--data', data]);
  t.equal(taken.code, 1);
  t.match(taken.stderr, /^roost: a user named "alice" already exists\n$/);
});

t.test('user passwd --password-stdin replaces the password', async (t) => {
  const r = await roost(['user', 'passwd', 'alice', '--password-stdin', '--data', data], { input: 'copper-kettle-977\n' });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /password changed for alice/);
  t.equal(await verifyPassword('copper-kettle-977', storedHash('alice').hash), true);
  const noTerminal = await roost(['user', 'passwd', 'alice', '--data', data]);
  t.equal(noTerminal.code, 2, 'no terminal to type at, and neither --password-stdin nor --generate');
  t.match(noTerminal.stderr, /--password-stdin, or use --generate/);
});

t.test('user disable marks the user disabled; user list shows it', async (t) => {
  const r = await roost(['user', 'disable', 'alice', '--data', data]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /disabled alice/);
  t.equal(storedHash('alice').disabled, 1);
  const list = await roost(['user', 'list', '--data', data]);
  t.match(list.stdout, /^\d+\s+alice\s+member\s+disabled\s+\d{4}-/m);
  t.match(list.stdout, /^\d+\s+bob\s+admin\s+active\s+/m);
});

t.test('ROOST_DATA names the data folder when --data is absent; --data wins over it', async (t) => {
  const other = mkdtempSync(join(tmpdir(), 'roost-cli-env-'));
  t.teardown(() => rmSync(other, { recursive: true, force: true }));
  closeWritable(openWritable(other));
  t.equal((await roost(['user', 'add', 'dave', '--password-stdin'], { env: { ROOST_DATA: other }, input: 'velvet-thunder-55\n' })).code, 0);
  t.match((await roost(['user', 'list'], { env: { ROOST_DATA: other } })).stdout, /dave/);
  const flagWins = await roost(['user', 'list', '--data', data], { env: { ROOST_DATA: other } });
  t.notMatch(flagWins.stdout, /dave/);
  t.match(flagWins.stdout, /bob/);
});
