import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeWritable, openWritable } from '../../src/store/db/database.js';
import { roost } from './run.js';

const data = mkdtempSync(join(tmpdir(), 'roost-cli-'));
t.teardown(() => rmSync(data, { recursive: true, force: true }));
// The database a first `roost serve` creates: admin commands refuse a folder without one.
closeWritable(openWritable(data));

t.test('success exits 0', async (t) => {
  const r = await roost(['user', 'list', '--data', data]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^ID\s+NAME\s+ROLE\s+STATUS\s+CREATED$/m);
});

t.test('--help exits 0', async (t) => {
  const help = await roost(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /serve/);
  t.match(help.stdout, /user/);
  t.match(help.stdout, /room/);
  t.equal((await roost(['user', 'add', '--help'])).code, 0);
});

t.test('a usage mistake exits 2: unknown flag, unknown command, missing argument', async (t) => {
  for (const args of [['user', 'list', '--data', data, '--bogus'], ['frobnicate'], ['room', 'add', 'general']]) {
    const r = await roost(args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, /error|unknown|missing/i, args.join(' '));
  }
});

t.test('a failure exits 1 with one clear line on stderr', async (t) => {
  const r = await roost(['user', 'disable', 'nobody', '--data', data]);
  t.equal(r.code, 1);
  t.equal(r.stderr, 'roost: no user named "nobody"\n');
  t.equal(r.stdout, '');
  const room = await roost(['room', 'add', 'nowhere', 'nobody', '--data', data]);
  t.equal(room.code, 1);
  t.equal(room.stderr.trim().split('\n').length, 1);
  t.match(room.stderr, /^roost: no room "nowhere"/);
});

t.test('a bad setting is a failure naming it', async (t) => {
  const r = await roost(['serve', '--data', data, '--port', 'eighty']);
  t.equal(r.code, 1);
  t.match(r.stderr, /^roost: .*port must be a whole number/);
});
