import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SERVER_NODE_FLAGS } from '../../src/ops/server-node-flags.js';
import { shippedUnit } from '../../src/ops/unit-file.js';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const flags = SERVER_NODE_FLAGS.join(' ');

t.test('every way of starting the server runs Node with the server flags', async (t) => {
  t.ok(flags.length > 0, 'there are flags to carry');
  const exec = shippedUnit().split('\n').find((l) => l.startsWith('ExecStart='));
  t.match(exec, new RegExp(`^ExecStart=\\S+node ${flags} \\S+/bin/roost\\.js serve`), 'the shipped systemd unit');
  const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.equal(pkg.scripts.start, `node ${flags} bin/roost.js serve`, 'npm start (the README\'s start command)');
  const shebang = readFileSync(root('bin/roost.js'), 'utf8').split('\n')[0];
  t.equal(shebang, `#!/usr/bin/env -S node ${flags}`, 'the installed roost command');
});

t.test('the roost command runs through its shebang (env -S passes the flags to node)', async (t) => {
  const r = spawnSync(root('bin/roost.js'), ['--version'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^\d+\.\d+\.\d+/);
});
