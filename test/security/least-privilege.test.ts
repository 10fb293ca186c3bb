import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { permissionWarnings } from '../../src/cli/permission-warnings.js';
import { main } from '../../src/cli/main.js';
import { addUser } from '../../src/store/admin/admin.js';
import { openWritable } from '../../src/store/db/database.js';
import { hashPassword } from '../../src/auth/password.js';
import { TestClient } from '../helpers/client.js';
import { within } from '../helpers/deadline.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const mode = (p: string): number => statSync(p).mode & 0o777;

t.test('a new data folder is 0700 and its database files 0600', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'roost-perm-')), 'data');
  t.teardown(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  const db = openWritable(dir);
  addUser(db, 'alice', 'member', await hashPassword('x'));
  t.equal(mode(dir), 0o700);
  t.equal(mode(join(dir, 'roost.db')), 0o600);
  t.equal(mode(join(dir, 'roost.db-wal')), 0o600, 'SQLite gives the WAL the database file\'s mode');
  db.close();
  t.same(permissionWarnings(dir), []);
});

t.test('the CLI warns when the data folder or database is wider than 0700/0600', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'roost-perm-')), 'data');
  t.teardown(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  openWritable(dir).close();
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'roost.db'), 0o644);
  const warnings = permissionWarnings(dir);
  t.equal(warnings.length, 2);
  t.match(warnings[0], /folder .* has mode 0755, wider than 0700.*chmod 700/);
  t.match(warnings[1], /roost\.db has mode 0644, wider than 0600.*chmod 600/);
  const write = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((c: string | Uint8Array) => { err += String(c); return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['node', 'roost', 'user', 'list', '--data', dir]);
  } finally {
    process.stderr.write = write;
  }
  t.equal(code, 0, 'a warning, not a failure');
  t.match(err, /roost: warning: folder .*0755/);
  t.match(err, /roost: warning: file .*roost\.db has mode 0644/);
});

/** Runs the built CLI's `serve` in a child process until told to stop; collects its output. */
function serve(dir: string): { ready: Promise<{ port: number; password: string }>; stop: () => Promise<{ stdout: string; stderr: string; code: number | null }> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/roost.js'), 'serve', '--data', dir, '--host', '127.0.0.1', '--port', '0', '--log-level', 'debug'], {
    cwd: ROOT, env: { ...process.env, ROOST_MDNS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<{ port: number; password: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 20 s: ${stderr}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const port = /listening on https?:\/\/[^:]+:(\d+)/.exec(stdout);
      const password = /password: (\S+)/.exec(stdout);
      if (port && password) { clearTimeout(timer); resolve({ port: Number(port[1]), password: password[1] ?? '' }); }
    });
    void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
  });
  return {
    ready,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await within(exited, 12_000, () => {
        child.kill('SIGKILL');
        return null;
      });
      return { stdout, stderr, code };
    },
  };
}

t.test('roost serve as root warns on stderr and in the log; tokens and passwords never reach the log', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'roost-root-')), 'data');
  t.teardown(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  const server = serve(dir);
  const { port, password } = await server.ready;
  const http = `http://127.0.0.1:${port}`;
  const login = await fetch(`${http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) });
  t.equal(login.status, 200);
  const { token } = (await login.json()) as { token: string };
  const wrong = await fetch(`${http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password: 'wrong-password-guess' }) });
  t.equal(wrong.status, 401);
  t.equal((await fetch(`${http}/api/v1/rooms`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
  const ws = await TestClient.connect(`ws://127.0.0.1:${port}/ws?token=${token}`, token);
  await ws.request({ type: 'ping' });
  ws.close();
  t.equal((await fetch(`${http}/api/v1/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).status, 204);
  const { stderr, code } = await server.stop();
  t.equal(code, 0, 'SIGTERM ends it cleanly');
  if (process.getuid?.() === 0) {
    t.match(stderr, 'roost: warning: running as root', 'a loud line on stderr');
    t.match(stderr, /"level":40[^\n]*"msg":"running as root"/, 'and a warn-level log record');
  } else {
    t.notMatch(stderr, 'running as root', 'no root warning for an unprivileged user');
  }
  t.match(stderr, /"msg":"login"/, 'the log did record the logins (so the check below is meaningful)');
  t.notMatch(stderr, token, 'the token is never logged');
  t.notMatch(stderr, password, 'the password is never logged');
  t.notMatch(stderr, 'wrong-password-guess', 'nor a wrong password');
});
