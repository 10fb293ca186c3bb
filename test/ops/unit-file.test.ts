import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { SERVER_NODE_FLAGS } from '../../src/ops/server-node-flags.js';
import { renderUnit, shippedUnit } from '../../src/ops/unit-file.js';

const SCRIPT = fileURLToPath(new URL('../../bin/roost.js', import.meta.url));
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

/** `Key=value` lines of a unit, last one wins (as systemd reads them). */
function directives(unit: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of unit.split('\n')) {
    const m = line.match(/^([A-Za-z]+)=(.*)$/);
    if (m?.[1] !== undefined) out.set(m[1], m[2] ?? '');
  }
  return out;
}

function verify(t: Test, unit: string): { status: number | null; stderr: string } {
  const path = join(t.testdir(), 'roost.service');
  writeFileSync(path, unit);
  const r = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

t.test('the shipped unit runs as roost, restarts on failure, and carries the hardening set', async (t) => {
  const d = directives(shippedUnit());
  t.equal(d.get('Type'), 'simple', 'no native module for sd_notify: see the comment in the unit');
  t.equal(d.get('User'), 'roost');
  t.equal(d.get('StateDirectory'), 'roost');
  t.equal(d.get('Restart'), 'on-failure');
  t.ok(Number(d.get('LimitNOFILE')) >= 65536, 'room for the benchmarked connection counts');
  t.ok(Number.parseInt(d.get('TimeoutStopSec') ?? '0', 10) > 9, 'longer than the server\'s own 9 s drain deadline');
  for (const [k, v] of Object.entries({
    NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes',
    ProtectKernelTunables: 'yes', ProtectKernelModules: 'yes', ProtectKernelLogs: 'yes', ProtectControlGroups: 'yes',
    SystemCallFilter: '@system-service', CapabilityBoundingSet: '', AmbientCapabilities: '',
  })) t.equal(d.get(k), v, k);
  t.match(d.get('RestrictAddressFamilies'), /AF_INET AF_INET6/);
  t.notOk(d.has('MemoryDenyWriteExecute'), 'V8 needs writable+executable memory for its JIT');
});

t.test('the rendered unit runs this Node and script, and grants CAP_NET_BIND_SERVICE only below port 1024', async (t) => {
  const high = directives(renderUnit(shippedUnit(), { node: process.execPath, script: SCRIPT, configFile: '/etc/roost/roost.json', port: 8080 }));
  t.equal(high.get('ExecStart'), `${process.execPath} ${SERVER_NODE_FLAGS.join(' ')} ${SCRIPT} serve --config /etc/roost/roost.json`);
  t.equal(high.get('CapabilityBoundingSet'), '');
  const low = directives(renderUnit(shippedUnit(), { node: process.execPath, script: SCRIPT, configFile: '/etc/roost/roost.json', port: 443 }));
  t.equal(low.get('CapabilityBoundingSet'), 'CAP_NET_BIND_SERVICE');
  t.equal(low.get('AmbientCapabilities'), 'CAP_NET_BIND_SERVICE');
  const spaced = directives(renderUnit(shippedUnit(), { node: '/opt/my node/bin/node', script: SCRIPT, configFile: '/etc/roost/roost.json', port: 8080 }));
  t.equal(spaced.get('ExecStart'), `"/opt/my node/bin/node" ${SERVER_NODE_FLAGS.join(' ')} ${SCRIPT} serve --config /etc/roost/roost.json`, 'a path with a space is quoted');
});

t.test('systemd-analyze verify accepts the unit as installed, for a high and a low port', { skip: hasAnalyze ? false : 'systemd-analyze is not installed (Debian package systemd; .ci/run installs it)' }, async (t) => {
  t.ok(existsSync(process.execPath));
  for (const port of [8080, 80]) {
    const r = verify(t, renderUnit(shippedUnit(), { node: process.execPath, script: SCRIPT, configFile: '/etc/roost/roost.json', port }));
    t.equal(r.status, 0, `port ${port}: ${r.stderr}`);
    t.equal(r.stderr.trim(), '', `port ${port}: no warnings`);
  }
  // The check can fail: an unknown directive is reported.
  const broken = verify(t, shippedUnit().replace('[Service]', '[Service]\nRestartt=always'));
  t.match(broken.stderr, /Unknown key 'Restartt'/);
});
