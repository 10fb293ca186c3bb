import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SERVER_ALLOCATOR_ENV, SERVER_NODE_FLAGS } from '../../src/ops/server-node-flags.js';
import { shippedUnit } from '../../src/ops/unit-file.js';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const flags = SERVER_NODE_FLAGS.join(' ');
const allocator = Object.entries(SERVER_ALLOCATOR_ENV).map(([k, v]) => `${k}=${v}`).join(' ');

t.test('every way of starting the server runs Node with the server flags', async (t) => {
  t.ok(flags.length > 0, 'there are flags to carry');
  const exec = shippedUnit().split('\n').find((l) => l.startsWith('ExecStart='));
  t.match(exec, new RegExp(`^ExecStart=\\S+node ${flags} \\S+/bin/roost\\.js serve`), 'the shipped systemd unit');
  const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.equal(pkg.scripts.start, `node ${flags} bin/roost.js serve`, 'npm start (the README\'s start command)');
  const shebang = readFileSync(root('bin/roost.js'), 'utf8').split('\n')[0];
  t.equal(shebang, `#!/usr/bin/env -S ${allocator} node ${flags}`, 'the installed roost command');
});

t.test('the systemd unit and the roost command run with the allocator settings the bench measures', async (t) => {
  t.ok(allocator.includes('MALLOC_MMAP_THRESHOLD_='), 'a fixed mmap threshold is among them');
  const env = shippedUnit().split('\n').filter((l) => l.startsWith('Environment=')).map((l) => l.slice('Environment='.length)).join(' ').split(' ');
  for (const [k, v] of Object.entries(SERVER_ALLOCATOR_ENV)) t.ok(env.includes(`${k}=${v}`), `the unit sets ${k}=${v}`);
  const r = spawnSync(root('bin/roost.js'), ['--version'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
});

t.test('the roost command runs through its shebang (env -S passes the flags to node)', async (t) => {
  const r = spawnSync(root('bin/roost.js'), ['--version'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^\d+\.\d+\.\d+/);
});
