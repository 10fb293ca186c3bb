import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/load.js';
import { roost } from './run.js';

/** Every path under dir, relative, sorted: what a dry run must leave untouched. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      out.push(join(rel, e.name));
      if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
    }
  };
  walk(dir, '');
  return out.sort();
}

const canStage = process.getuid?.() === 0 && spawnSync('systemd-sysusers', ['--version']).status === 0 && spawnSync('systemctl', ['--version']).status === 0;

t.test('install --dry-run prints every step and changes nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'roost-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const r = await roost(['service', 'install', '--dry-run', '--root', root]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^Dry run: nothing will change/);
  for (const step of [
    /would write .*\/etc\/sysusers\.d\/roost\.conf/,
    /would create the system user "roost"/,
    /would create the data folder .*\/var\/lib\/roost \(mode 0700, owner roost\)/,
    /would write .*\/etc\/roost\/roost\.json/,
    /would create the database and the first admin user/,
    /would write .*\/etc\/systemd\/system\/roost\.service/,
    /would run: systemctl --root=.* enable roost\.service/,
  ]) t.match(r.stdout, step);
  t.match(r.stdout, /\[1\/\d+\]/, 'steps are numbered');
  t.same(tree(root), [], 'the target root is still empty');
});

t.test('install on this machine without root or --dry-run is refused with a hint', { skip: process.getuid?.() === 0 ? 'running as root here' : false }, async (t) => {
  const r = await roost(['service', 'install']);
  t.equal(r.code, 2);
  t.match(r.stderr, /needs root.*--dry-run/);
});

t.test('install into a fake root, reinstall, uninstall keeping data, uninstall --purge', { skip: canStage ? false : 'needs root and systemd-sysusers/systemctl (Debian package systemd)' }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'roost-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const r = await roost(['service', 'install', '--root', root, '--port', '8181']);
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stdout, /would /);
  const password = r.stdout.match(/created user "admin" with password: (\S+)/)?.[1];
  t.ok(password !== undefined && password.length >= 16, 'the first admin password is printed once');

  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
  const entry = passwd.split('\n').find((l) => l.startsWith('roost:'))?.split(':');
  t.ok(entry, 'the roost user exists');
  t.equal(entry?.[6], '/usr/sbin/nologin');
  const data = join(root, 'var/lib/roost');
  t.equal(statSync(data).mode & 0o777, 0o700);
  t.equal(statSync(data).uid, Number(entry?.[2]), 'the data folder belongs to roost');
  t.equal(statSync(join(data, 'roost.db')).uid, Number(entry?.[2]), 'so does the database');
  t.equal(statSync(join(root, 'var/lib')).mode & 0o777, 0o755, 'parents keep their usual mode');
  const db = new Database(join(data, 'roost.db'), { readonly: true });
  t.same(db.prepare('SELECT name, role FROM users').all(), [{ name: 'admin', role: 'admin' }]);
  db.close();

  const configFile = join(root, 'etc/roost/roost.json');
  t.equal(statSync(configFile).mode & 0o777, 0o640);
  const { config } = loadConfig({ file: configFile, env: {} });
  t.equal(config.dataDir, '/var/lib/roost');
  t.equal(config.port, 8181);
  const unit = readFileSync(join(root, 'etc/systemd/system/roost.service'), 'utf8');
  t.match(unit, /^ExecStart=\S+node\S* --max-semi-space-size=2 \S+\/bin\/roost\.js serve --config \/etc\/roost\/roost\.json$/m);
  t.ok(lstatSync(join(root, 'etc/systemd/system/multi-user.target.wants/roost.service')).isSymbolicLink(), 'enabled');

  const again = await roost(['service', 'install', '--root', root]);
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /keep the existing config file/);
  t.match(again.stdout, /already has users; no admin created/);
  t.equal(loadConfig({ file: configFile, env: {} }).config.port, 8181, 'the config was not overwritten');

  const un = await roost(['service', 'uninstall', '--root', root]);
  t.equal(un.code, 0, un.stderr);
  t.notOk(existsSync(join(root, 'etc/systemd/system/roost.service')));
  t.notOk(existsSync(join(root, 'etc/systemd/system/multi-user.target.wants/roost.service')));
  t.ok(existsSync(join(data, 'roost.db')), 'data kept');
  t.ok(existsSync(configFile), 'config kept');
  t.match(un.stdout, /kept the data folder .* \(--purge removes them\)/);

  const purge = await roost(['service', 'uninstall', '--purge', '--root', root]);
  t.equal(purge.code, 0, purge.stderr);
  t.notOk(existsSync(data));
  t.notOk(existsSync(join(root, 'etc/roost')));
  t.notMatch(readFileSync(join(root, 'etc/passwd'), 'utf8'), /^roost:/m, 'the user is gone');
});
