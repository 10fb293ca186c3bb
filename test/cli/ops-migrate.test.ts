import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { backupIfMigrationPending, schemaState } from '../../src/ops/upgrade.js';
import { closeWritable, openWritable } from '../../src/store/db/database.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/db/migrations.js';
import { roost } from './run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'roost-migrate-'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A data folder whose database is at schema version 1, as the first Roost release left it, with one user. */
function versionOneFolder(): string {
  const dir = join(base, `v1-${n++}`);
  mkdirSync(dir, { mode: 0o700 });
  const db = new Database(join(dir, 'roost.db'));
  db.exec(MIGRATIONS[0] ?? '');
  db.pragma('user_version = 1');
  db.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES ('old-timer', 'admin', 'x', 1)").run();
  db.close();
  return dir;
}

const version = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};
const backups = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.db.bak'));

t.test('this Roost has migrations beyond version 1 to exercise', async (t) => {
  t.ok(SCHEMA_VERSION > 1, `schema version ${SCHEMA_VERSION}`);
});

t.test('migrate --check says whether a migration is pending, by exit code, and changes nothing', async (t) => {
  const dir = versionOneFolder();
  const r = await roost(['migrate', '--check', '--data', dir]);
  t.equal(r.code, 3, r.stderr);
  t.match(r.stdout, new RegExp(`schema version 1; this Roost is at ${SCHEMA_VERSION}: migrations? 2`));
  t.equal(version(join(dir, 'roost.db')), 1, 'still version 1');
  t.same(backups(dir), []);
  const fresh = join(base, 'fresh');
  const none = await roost(['migrate', '--check', '--data', fresh]);
  t.equal(none.code, 2, 'a folder without a database is a usage mistake, not something to migrate');
  t.match(none.stderr, /^roost: no Roost database in .*fresh \(roost\.db not found\)/);
  t.notOk(existsSync(fresh), 'migrate --check created nothing');
  closeWritable(openWritable(fresh));
  const current = await roost(['migrate', '--check', '--data', fresh]);
  t.equal(current.code, 0);
  t.match(current.stdout, new RegExp(`schema version ${SCHEMA_VERSION}: up to date`));
});

t.test('migrate backs the database up with db.backup, then migrates, keeping the data', async (t) => {
  const dir = versionOneFolder();
  const r = await roost(['migrate', '--data', dir]);
  t.equal(r.code, 0, r.stderr);
  const [bak] = backups(dir);
  t.match(bak, /^roost-v1-\d{8}T\d{6}Z\.db\.bak$/);
  t.match(r.stdout, new RegExp(`backup: .*${bak}`));
  t.equal(statSync(join(dir, bak ?? '')).mode & 0o777, 0o600, 'the copy is as private as the original');
  t.equal(version(join(dir, bak ?? '')), 1, 'the backup is the database before migrating');
  t.equal(version(join(dir, 'roost.db')), SCHEMA_VERSION);
  const db = new Database(join(dir, 'roost.db'), { readonly: true });
  t.same(db.prepare('SELECT name FROM users').all(), [{ name: 'old-timer' }]);
  db.close();
  t.same(schemaState(dir).pending, []);
  t.equal(await backupIfMigrationPending(dir), undefined, 'nothing pending: no second backup');
});

t.test('a server start migrates automatically, after taking a backup', async (t) => {
  const dir = versionOneFolder();
  const proc = spawn(process.execPath, ['bin/roost.js', 'serve', '--data', dir, '--host', '127.0.0.1', '--port', '0', '--no-mdns', '--log-level', 'info'], {
    cwd: ROOT, env: { ...process.env, ROOST_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  const kill = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  for (let i = 0; i < 1200 && !/roost listening/.test(stdout) && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  t.match(stdout, /roost listening/, stderr);
  proc.kill('SIGTERM');
  t.equal(await exited, 0, stderr);
  clearTimeout(kill);
  t.equal(backups(dir).length, 1, 'one backup beside the database');
  t.equal(version(join(dir, backups(dir)[0] ?? '')), 1);
  t.equal(version(join(dir, 'roost.db')), SCHEMA_VERSION);
  t.match(stderr, /database backed up before migrating its schema/);
});

t.test('a database from a newer Roost is refused by migrate, migrate --check, serve and admin commands', async (t) => {
  const dir = join(base, 'newer');
  closeWritable(openWritable(dir));
  const db = new Database(join(dir, 'roost.db'));
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  for (const args of [['migrate', '--check'], ['migrate'], ['serve', '--port', '0', '--host', '127.0.0.1', '--no-mdns'], ['user', 'list']]) {
    const r = await roost([...args, '--data', dir]);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this Roost understands \\(${SCHEMA_VERSION}\\); upgrade Roost or restore an older backup`), args.join(' '));
  }
  t.same(backups(dir), [], 'nothing was copied or changed');
  t.equal(version(join(dir, 'roost.db')), SCHEMA_VERSION + 1);
});
