import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { roost } from './run.js';

// A folder with a typo in its name: nothing there, and nothing may appear there.
const parent = mkdtempSync(join(tmpdir(), 'roost-cli-typo-'));
t.teardown(() => rmSync(parent, { recursive: true, force: true }));
const typo = join(parent, 'roostdata');
const refusal = `roost: no Roost database in ${typo} (roost.db not found) — check --data or ROOST_DATA; \`roost serve\` creates one\n`;

const commands: Array<{ args: string[]; input?: string }> = [
  { args: ['user', 'list'] },
  { args: ['user', 'add', 'alice', '--password-stdin'], input: 'lantern-orchard-42\n' },
  { args: ['room', 'list'] },
  { args: ['retention', 'show'] },
  { args: ['verify'] },
  { args: ['export', '--room', 'general'] },
  { args: ['audit'] },
  { args: ['backup', '--out', join(parent, 'copy.db')] },
  { args: ['stats'] },
  { args: ['migrate'] },
  { args: ['cert', 'create'] },
];

for (const { args, input } of commands) {
  t.test(`${args.slice(0, 2).join(' ')} on a folder without a database exits 2 with one line and creates nothing`, async (t) => {
    const r = await roost([...args, '--data', typo], { input, timeoutMs: 60_000 });
    t.equal(r.code, 2, r.stderr);
    t.equal(r.stderr, refusal);
    t.equal(r.stdout, '');
    t.notOk(existsSync(typo), 'the folder still does not exist');
    t.same(readdirSync(parent), [], 'nothing was written beside it either');
  });
}

t.test('an empty existing folder is refused the same way, and stays empty (no roost.db, -wal or -shm)', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'roost-cli-empty-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const r = await roost(['user', 'list'], { env: { ROOST_DATA: empty }, timeoutMs: 60_000 });
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /^roost: no Roost database in .* \(roost\.db not found\) — check --data or ROOST_DATA/);
  t.same(readdirSync(empty), []);
});

t.test('doctor reports the missing database as a failed check and creates none', async (t) => {
  const r = await roost(['doctor', '--data', typo], { timeoutMs: 60_000 });
  t.equal(r.code, 1, r.stderr);
  t.match(r.stdout, new RegExp(`^FAIL\\s+Roost database\\s+${join(typo, 'roost.db')} not found$`, 'm'));
  t.notOk(existsSync(typo), 'the folder still does not exist');
});

t.test('another program\'s SQLite file named roost.db is refused, not given Roost\'s tables', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-cli-foreign-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'roost.db');
  const other = new Database(file);
  other.exec('CREATE TABLE notes (x)');
  other.close();
  const r = await roost(['user', 'list', '--data', dir], { timeoutMs: 60_000 });
  t.equal(r.code, 2, r.stderr);
  t.equal(r.stderr, `roost: ${file} is not a Roost database (no Roost schema in it) — check --data or ROOST_DATA\n`);
  const db = new Database(file, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((x) => x.name);
  const version = db.pragma('user_version', { simple: true });
  db.close();
  t.same(tables, ['notes'], 'only its own table');
  t.equal(version, 0);
});

t.test('an empty roost.db and a file that is not SQLite at all are refused in one line, exit 2, left as they were', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-cli-notdb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'roost.db');
  for (const content of ['', 'notes from the weekend\n'.repeat(400)]) {
    writeFileSync(file, content);
    const r = await roost(['backup', '--out', join(dir, 'copy.db'), '--data', dir], { timeoutMs: 60_000 });
    t.equal(r.code, 2, r.stderr);
    t.match(r.stderr, new RegExp(`^roost: ${file} is not a Roost database \\(.+\\) — check --data or ROOST_DATA\\n$`));
    t.same(readdirSync(dir), ['roost.db'], 'no copy, no -wal or -shm');
  }
});
