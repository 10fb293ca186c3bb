import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { roostCommand, slowdown } from '../helpers/roost-command.js';
import { startTestServer } from '../helpers/server.js';
import { roost } from './run.js';


/** Runs `roost serve` until it says where it listens, then SIGTERM; resolves with its output and exit code. */
function serveOnce(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number | null; port: number }> {
  const run = roostCommand(['serve', '--host', '127.0.0.1', '--port', '0', ...args]);
  const proc = spawn(run.command, run.args, {
    cwd: run.cwd, env: { ...process.env, ROOST_CONFIG: '', ROOST_DATA: '', ROOST_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let port = 0;
  // A bound for a hung start, generous for a loaded machine (up to eight engineers' tests at once).
  const killer = setTimeout(() => proc.kill('SIGKILL'), 60_000 * slowdown);
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const m = /roost listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
    if (m !== null && port === 0) {
      port = Number(m[1]);
      proc.kill('SIGTERM');
    }
  });
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => proc.on('close', (code) => {
    clearTimeout(killer);
    resolve({ stdout, stderr, code, port });
  }));
}

t.test('serve on a fresh folder creates the database and prints the admin password once', async (t) => {
  const data = join(mkdtempSync(join(tmpdir(), 'roost-serve-')), 'new-folder');
  t.teardown(() => rmSync(join(data, '..'), { recursive: true, force: true }));
  const first = await serveOnce(['--data', data]);
  t.equal(first.code, 0);
  t.ok(first.port > 0, 'port 0 prints the real port');
  const password = /^created user "admin" with password: (\S+)$/m.exec(first.stdout)?.[1];
  t.match(password, /^[A-Za-z0-9]{20}$/);
  t.ok(first.stdout.includes(`roost user passwd admin --data ${data}`), 'the hint to change it names the folder this server was given');
  const second = await serveOnce(['--data', data]);
  t.equal(second.code, 0);
  t.notMatch(second.stdout, /password/, 'not printed again');
  t.match(second.stdout, /roost listening on/);
});

t.test('serve takes its data folder from ROOST_DATA', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'roost-serve-env-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const r = await serveOnce([], { ROOST_DATA: data });
  t.equal(r.code, 0);
  t.match(r.stdout, new RegExp(`\\(data: ${data}\\)`));
});

t.test('logs are JSON lines when stderr is not a terminal, human-readable with --pretty', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'roost-serve-logs-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const json = await serveOnce(['--data', data], { ROOST_LOG_LEVEL: 'info' });
  t.equal(json.code, 0);
  const listening = json.stderr.split('\n').filter((l) => l.includes('roost listening'));
  t.equal(listening.length, 1);
  t.match(JSON.parse(listening[0] ?? '') as unknown, { level: 30, msg: 'roost listening', port: json.port });
  const pretty = await serveOnce(['--data', data, '--pretty'], { ROOST_LOG_LEVEL: 'info' });
  t.equal(pretty.code, 0);
  t.match(pretty.stderr, /INFO \(\d+\): roost listening/);
  t.notMatch(pretty.stderr, /^\{/m, 'no JSON line');
});

t.test('serve on a port another server holds is refused: exit 1, one line naming host and port', async (t) => {
  const running = await startTestServer({ port: await freePort() });
  t.teardown(() => running.close());
  const data = mkdtempSync(join(tmpdir(), 'roost-serve-taken-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const r = await roost(['serve', '--data', data, '--host', '127.0.0.1', '--port', String(running.port), '--no-mdns'], { env: { ROOST_LOG_LEVEL: 'silent' }, timeoutMs: 60_000 });
  t.equal(r.code, 1, r.stderr);
  // Run as root (some CI boxes), serve also warns about that on its own line.
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !/running as root/.test(l));
  t.same(lines, [`roost: port ${running.port} on 127.0.0.1 is in use by another program — is Roost already running? choose another with --port`]);
  t.notMatch(r.stdout, /roost listening/);
  t.ok((await fetch(`${running.http}/healthz`)).ok, 'the running server still answers');
});
