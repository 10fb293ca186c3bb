import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roost } from './run.js';

t.test('roost bench --cpu-prof DIR: the scratch server leaves a V8 CPU profile of its threads there', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-bench-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const prof = join(dir, 'prof');
  const r = await roost(['bench', '--scenario', 'hold', '--connections', '4', '--rate', '100', '--hold', '0', '--settle', '0', '--logins', '0', '--workers', '1', '--cpu-prof', prof, '--out', join(dir, 'results')], { timeoutMs: 120_000 });
  t.equal(r.code, 0, 'the bench exits 0', { stderr: r.stderr });
  t.match(r.stdout, /survived the hold: 4/);
  const files = readdirSync(prof).filter((f) => f.endsWith('.cpuprofile'));
  t.ok(files.length >= 1, `profiles: ${files.join(', ')}`);
  const first = JSON.parse(readFileSync(join(prof, files[0] ?? ''), 'utf8')) as { nodes?: unknown[]; samples?: unknown[] };
  t.ok(Array.isArray(first.nodes) && first.nodes.length > 0 && Array.isArray(first.samples), 'each is a V8 profile with its call tree and samples');
});

t.test('roost bench --cpu-prof with --url is a usage mistake: only a scratch server is started with it', async (t) => {
  const r = await roost(['bench', '--url', 'http://127.0.0.1:1', '--data', tmpdir(), '--cpu-prof', tmpdir()]);
  t.equal(r.code, 2);
  t.match(r.stderr, /--cpu-prof profiles the scratch server/);
});
