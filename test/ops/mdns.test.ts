/**
 * LAN discovery, end to end, inside two network namespaces joined by a veth
 * pair that this test creates: a real `roost serve` advertises in one, `roost
 * discover` finds it from the other. Nothing reaches the machine's real LAN.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tag = `r6${process.pid % 100000}`;
const NS_SERVER = `${tag}-srv`;
const NS_CLIENT = `${tag}-cli`;
const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const SERVER_IP = `${subnet}.1`;
const CLIENT_IP = `${subnet}.2`;

function ip(args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, err: (r.stderr ?? '').trim() };
}

/** Two namespaces, a veth between them, loopback up, and a multicast route on the veth. */
function makeNamespaces(): string | undefined {
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the ip command (Debian package iproute2) is missing';
  const steps: string[][] = [
    ['netns', 'add', NS_SERVER],
    ['netns', 'add', NS_CLIENT],
    ['link', 'add', `${tag}a`, 'type', 'veth', 'peer', 'name', `${tag}b`],
    ['link', 'set', `${tag}a`, 'netns', NS_SERVER],
    ['link', 'set', `${tag}b`, 'netns', NS_CLIENT],
    ['-n', NS_SERVER, 'addr', 'add', `${SERVER_IP}/24`, 'dev', `${tag}a`],
    ['-n', NS_CLIENT, 'addr', 'add', `${CLIENT_IP}/24`, 'dev', `${tag}b`],
    ['-n', NS_SERVER, 'link', 'set', 'lo', 'up'],
    ['-n', NS_CLIENT, 'link', 'set', 'lo', 'up'],
    ['-n', NS_SERVER, 'link', 'set', `${tag}a`, 'up', 'multicast', 'on'],
    ['-n', NS_CLIENT, 'link', 'set', `${tag}b`, 'up', 'multicast', 'on'],
    ['-n', NS_SERVER, 'route', 'add', '224.0.0.0/4', 'dev', `${tag}a`],
    ['-n', NS_CLIENT, 'route', 'add', '224.0.0.0/4', 'dev', `${tag}b`],
  ];
  for (const [i, step] of steps.entries()) {
    const r = ip(step);
    if (!r.ok) {
      if (i === 0) return `network namespaces are unavailable here (ip netns add: ${r.err})`;
      throw new Error(`ip ${step.join(' ')}: ${r.err}`);
    }
  }
  return undefined;
}

function removeNamespaces(): void {
  ip(['netns', 'del', NS_SERVER]);
  ip(['netns', 'del', NS_CLIENT]);
}

interface Run { code: number | null; stdout: string; stderr: string }

function inNamespace(ns: string, args: string[], timeoutMs = 20_000): Promise<Run> {
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { cwd: ROOT, env: { ...process.env, ROOST_CONFIG: '' } });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `roost serve` in the server namespace; resolves once it listens. */
async function serve(dataDir: string, port: number, extra: string[] = []): Promise<{ proc: ChildProcess; stop: () => Promise<number | null>; stderr: () => string }> {
  const proc = spawn('ip', ['netns', 'exec', NS_SERVER, process.execPath, 'bin/roost.js', 'serve', '--data', dataDir, '--host', '0.0.0.0', '--port', String(port), '--log-level', 'info', ...extra],
    { cwd: ROOT, env: { ...process.env, ROOST_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  for (let i = 0; i < 1200 && !/roost listening/.test(stdout) && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  if (!/roost listening/.test(stdout)) throw new Error(`server did not start: ${stderr}`);
  return {
    proc,
    stderr: () => stderr,
    stop: async () => {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

interface Found { name: string; host: string; port: number; addresses: string[]; url: string; version: string; tls: boolean }

const skip = makeNamespaces();
t.teardown(removeNamespaces);

t.test('a server advertises _roost._tcp and _http._tcp; roost discover finds it from another host', { skip: skip ?? false }, async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'roost-mdns-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const server = await serve(data, 8123);
  t.teardown(() => server.stop());
  // pino writes asynchronously: the log line arrives a moment later (20 s bound for a loaded CI box).
  for (let i = 0; i < 400 && !/advertising/.test(server.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
  t.match(server.stderr(), /advertising _roost\._tcp and _http\._tcp over mDNS/);

  const r = await inNamespace(NS_CLIENT, ['bin/roost.js', 'discover', '--wait', '3', '--json']);
  t.equal(r.code, 0, r.stderr);
  const { servers } = JSON.parse(r.stdout) as { servers: Found[] };
  t.equal(servers.length, 1, r.stdout);
  const found = servers[0];
  t.match(found?.name, /^Roost on /);
  t.match(found?.host, /\.local$/);
  t.equal(found?.port, 8123);
  t.ok(found?.addresses.includes(SERVER_IP), `addresses ${found?.addresses.join(',')} include ${SERVER_IP}`);
  t.equal(found?.url, `http://${SERVER_IP}:8123/`);
  t.equal(found?.tls, false);

  // The advertised URL works from the other namespace.
  const health = await inNamespace(NS_CLIENT, ['-e', `fetch(${JSON.stringify(`${found?.url ?? ''}healthz`)}).then(async (r) => console.log(r.status, await r.text()))`]);
  t.match(health.stdout, /^200 \{"status":"ok"\}/);

  // A plain DNS-SD browser (any _http._tcp client) sees it too.
  const http = await inNamespace(NS_CLIENT, ['--input-type=module', '-e', `
    import { Bonjour } from 'bonjour-service';
    const b = new Bonjour();
    const seen = [];
    b.find({ type: 'http' }, (s) => seen.push({ name: s.name, port: s.port, path: s.txt?.path }));
    setTimeout(() => { console.log(JSON.stringify(seen)); b.destroy(); }, 2500);`]);
  t.same(JSON.parse(http.stdout || '[]'), [{ name: found?.name, port: 8123, path: '/' }], http.stderr);

  const text = await inNamespace(NS_CLIENT, ['bin/roost.js', 'discover', '--wait', '2']);
  t.match(text.stdout, new RegExp(`Roost on \\S+\\s+http://${SERVER_IP.replace(/\./g, '\\.')}:8123/`));
  t.equal(await server.stop(), 0, 'a clean stop, goodbyes sent');
});

t.test('--no-mdns keeps the server silent on the LAN', { skip: skip ?? false }, async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'roost-mdns-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const server = await serve(data, 8124, ['--no-mdns']);
  t.teardown(() => server.stop());
  const r = await inNamespace(NS_CLIENT, ['bin/roost.js', 'discover', '--wait', '2', '--json']);
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { servers: [] });
  // The server is there, just not advertised.
  const health = await inNamespace(NS_CLIENT, ['-e', `fetch('http://${SERVER_IP}:8124/healthz').then((r) => console.log(r.status))`]);
  t.equal(health.stdout.trim(), '200');
  // Read once the server has exited, so every line it would ever log is in.
  t.equal(await server.stop(), 0);
  t.notMatch(server.stderr(), /advertising/, 'no advertising line in the whole log');
});
