import { fileURLToPath } from 'node:url';
import t from 'tap';
import { configWith } from '../../src/config/load.js';
import type { RawValue } from '../../src/config/load.js';
import type { SettingName } from '../../src/config/schema.js';
import { hostInputs, runDoctor } from '../../src/ops/doctor/run-doctor.js';
import { diskOf, mountOf } from '../../src/ops/doctor/storage-checks.js';
import type { CheckResult, DoctorInputs, FsStats } from '../../src/ops/doctor/types.js';
import type { CommandResult } from '../../src/ops/steps.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const GiB = 1024 ** 3;
const roomy: FsStats = { bsize: 4096, blocks: (100 * GiB) / 4096, bavail: (60 * GiB) / 4096, files: 6_000_000, ffree: 5_500_000 };
const noCommand = (): CommandResult => ({ status: 127, stdout: '', stderr: 'not found' });

/** A described machine: fixture /proc and /sys, plus facts the process would report. */
function machine(name: string, over: Partial<DoctorInputs> = {}, config: Partial<Record<SettingName, RawValue>> = {}): DoctorInputs {
  return {
    root: fixture(name),
    config: configWith({ host: '0.0.0.0', port: 8080, ...config }),
    dataDir: '/var/lib/roost',
    database: { file: '/var/lib/roost/roost.db', found: true },
    hostname: 'roostpi',
    arch: 'arm64',
    nodeVersion: 'v22.12.0',
    abi: '127',
    glibc: '2.36',
    cpuCount: 4,
    statfs: () => roomy,
    loadUws: () => undefined,
    thumbnails: async () => undefined,
    sqlite: () => ({ version: '3.53.2', fts5: true }),
    run: noCommand,
    lanAddresses: () => ['192.168.1.20'],
    probePort: async () => true,
    ...over,
  };
}

function byId(results: readonly CheckResult[]): Record<string, CheckResult> {
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

t.test('every check answers ok, warn or fail, and every warn or fail carries a fix', async (t) => {
  for (const name of ['pi4-sd', 'pi5-ssd', 'x86-server']) {
    const results = await runDoctor(machine(name));
    t.equal(results.length, 19, `${name}: 19 checks`);
    for (const r of results) {
      t.ok(['ok', 'warn', 'fail'].includes(r.status), `${name} ${r.id}`);
      if (r.status !== 'ok') t.ok(r.fix !== undefined && r.fix.length > 10, `${name} ${r.id} has a fix`);
    }
  }
});

t.test('a Pi 4 on an SD card: board recognised, SD card and past under-voltage warned, low ulimit fails', async (t) => {
  const c = byId(await runDoctor(machine('pi4-sd')));
  t.equal(c.cpu?.status, 'ok');
  t.match(c.cpu?.detail, /Raspberry Pi 4 Model B Rev 1\.4.*Raspberry Pi 4/);
  t.equal(c.storage?.status, 'warn');
  t.match(c.storage?.detail, /mmcblk0p2.*an SD card, solid state/);
  t.match(c.storage?.fix, /USB 3 SSD/);
  t.equal(c.throttle?.status, 'warn', 'bits 16 and 18: under-voltage and throttling happened since boot');
  t.match(c.throttle?.detail, /since boot: under-voltage, throttled \(flag 50000\)/);
  t.equal(c.nofile?.status, 'warn', '1024 is not below the hard floor, but far below maxConnections');
  t.equal(c.sysctl?.status, 'warn');
  t.match(c.sysctl?.detail, /net\.ipv4\.tcp_max_syn_backlog=512/);
  t.notMatch(c.sysctl?.detail, /somaxconn/, 'somaxconn 4096 is fine');
  t.equal(c.clock?.status, 'warn', 'no timesync flag and no timedatectl: cannot tell');
  t.equal(c.memory?.status, 'ok');
});

t.test('without the sysfs flag the doctor asks vcgencmd, and a current under-voltage fails', async (t) => {
  const asked: string[] = [];
  const run = (cmd: string, args: readonly string[]): CommandResult => {
    asked.push([cmd, ...args].join(' '));
    return cmd === 'vcgencmd' ? { status: 0, stdout: 'throttled=0x50005\n', stderr: '' } : noCommand();
  };
  const root = t.testdir({ proc: { 'device-tree': { model: 'Raspberry Pi 3 Model B Plus Rev 1.3\0' } } });
  const c = byId(await runDoctor(machine('pi4-sd', { root, run })));
  t.ok(asked.includes('vcgencmd get_throttled'));
  t.equal(c.throttle?.status, 'fail');
  t.match(c.throttle?.detail, /now: under-voltage, throttled \(flag 0x50005\)/);
  t.equal(c.cpu?.status, 'warn', 'a Pi 3 is warned about');
});

t.test('a Pi 5 booting from a USB SSD with a synchronised clock is all ok', async (t) => {
  const results = await runDoctor(machine('pi5-ssd'));
  const c = byId(results);
  t.match(c.cpu?.detail, /Raspberry Pi 5/);
  t.equal(c.storage?.status, 'ok');
  t.match(c.storage?.detail, /sda2.*USB storage, solid state/);
  t.equal(c.clock?.status, 'ok');
  t.equal(c.throttle?.status, 'ok');
  t.same(results.filter((r) => r.status !== 'ok').map((r) => r.id), []);
});

t.test('an x86 server: data on a separate NVMe mount, low memory fails, short sysctls warn', async (t) => {
  const c = byId(await runDoctor(machine('x86-server', { arch: 'x64', dataDir: '/srv/roost' })));
  t.match(c.cpu?.detail, /Intel\(R\) Xeon/);
  t.equal(c.throttle?.detail, 'not a Raspberry Pi: no firmware flag to read');
  t.equal(c.storage?.status, 'ok');
  t.match(c.storage?.detail, /\/srv\/roost is on nvme0n1p2 \(xfs, mounted at \/srv\): NVMe, solid state/);
  t.equal(c.memory?.status, 'fail');
  t.match(c.sysctl?.detail, /net\.core\.somaxconn=128/);
  // The same machine with the data folder on / is on the spinning disk.
  const root = byId(await runDoctor(machine('x86-server', { arch: 'x64', dataDir: '/var/lib/roost' })));
  t.equal(root.storage?.status, 'warn');
  t.match(root.storage?.detail, /spinning disk/);
});

t.test('the runtime checks: 32-bit, musl, old glibc, Node versions, uWS and SQLite failures', async (t) => {
  const bad = byId(await runDoctor(machine('pi5-ssd', {
    arch: 'ia32', glibc: undefined, nodeVersion: 'v18.20.0', abi: '108',
    loadUws: () => { throw new Error('cannot load uWebSockets.js: no tested binary for Node ABI 108'); },
    sqlite: () => ({ version: '3.40.0', fts5: false }),
  })));
  t.equal(bad.os64?.status, 'fail', 'no native modules for 32-bit x86');
  const armv7 = byId(await runDoctor(machine('pi5-ssd', { arch: 'arm' })));
  t.match(armv7.os64, { status: 'warn', detail: /32-bit/ }, '32-bit Raspberry Pi OS works, with a 32-bit process\'s limits');
  t.equal(bad.glibc?.status, 'fail');
  t.equal(bad.node?.status, 'fail');
  t.equal(bad.uws?.status, 'fail');
  t.match(bad.uws?.detail, /ABI 108/);
  t.equal(bad.sqlite?.status, 'fail');
  const old = byId(await runDoctor(machine('pi5-ssd', { glibc: '2.24', nodeVersion: 'v20.20.2', abi: '115' })));
  t.equal(old.glibc?.status, 'fail');
  t.equal(old.node?.status, 'warn', 'Node 20 works but is past its end of life');
  t.equal(byId(await runDoctor(machine('pi5-ssd'))).node?.status, 'ok', 'Node 22');
  t.match(byId(await runDoctor(machine('pi5-ssd', { nodeVersion: 'v24.11.0', abi: '137' }))).node, { status: 'ok', detail: /glibc 2\.38/ }, 'Node 24, with the C library its WebSocket binary needs');
});

t.test('thumbnails: ok when the image library works, a warning with the reason when it cannot load', async (t) => {
  t.match(byId(await runDoctor(machine('pi5-ssd'))).thumbnails, { status: 'ok', detail: /makes thumbnails/ });
  const broken = byId(await runDoctor(machine('pi5-ssd', {
    thumbnails: async () => { throw new Error('Could not load the "sharp" module using the linux-arm64 runtime'); },
  }))).thumbnails;
  t.equal(broken?.status, 'warn', 'uploads still work: a warning, not a failure');
  t.match(broken?.detail, /no thumbnails or image dimensions for uploads: Could not load the "sharp" module using the linux-arm64 runtime/);
  t.match(broken?.fix, /npm rebuild sharp/);
});

t.test('space, inodes and durability mode', async (t) => {
  const full: FsStats = { bsize: 4096, blocks: (32 * GiB) / 4096, bavail: (100 * 1024 * 1024) / 4096, files: 1_000_000, ffree: 900_000 };
  t.equal(byId(await runDoctor(machine('pi5-ssd', { statfs: () => full }))).space?.status, 'fail');
  const tight: FsStats = { ...roomy, files: 1_000_000, ffree: 30_000 };
  t.equal(byId(await runDoctor(machine('pi5-ssd', { statfs: () => tight }))).space?.status, 'warn', '3% of inodes left');
  const normal = byId(await runDoctor(machine('pi5-ssd', {}, { synchronous: 'NORMAL' })));
  t.equal(normal.synchronous?.status, 'warn');
  t.match(normal.synchronous?.detail, /power cut can lose/);
});

t.test('the port check probes each LAN address and says when nothing answers or the host is loopback', async (t) => {
  const probed: string[] = [];
  const c = byId(await runDoctor(machine('pi5-ssd', {
    lanAddresses: () => ['192.168.1.20', '10.0.0.5'],
    probePort: async (a, p) => {
      probed.push(`${a}:${p}`);
      return a === '192.168.1.20';
    },
  })));
  t.same(probed.sort(), ['10.0.0.5:8080', '192.168.1.20:8080']);
  t.equal(c.port?.status, 'warn');
  t.match(c.port?.detail, /nothing answers on 10\.0\.0\.5:8080; answering on 192\.168\.1\.20:8080/);
  const loop = byId(await runDoctor(machine('pi5-ssd', {}, { host: '127.0.0.1' })));
  t.match(loop.port?.detail, /only this machine/);
});

t.test('mount lookup picks the longest mount point and partition names map to their disk', async (t) => {
  t.equal(mountOf(fixture('x86-server'), '/srv/roost/data')?.mountPoint, '/srv');
  t.equal(mountOf(fixture('x86-server'), '/srvx')?.mountPoint, '/', '/srvx is not under /srv');
  t.equal(diskOf('mmcblk0p2'), 'mmcblk0');
  t.equal(diskOf('nvme0n1p2'), 'nvme0n1');
  t.equal(diskOf('sda2'), 'sda');
  t.equal(diskOf('vda'), 'vda');
});

t.test('on this machine the doctor runs every check without throwing', async (t) => {
  const inputs = hostInputs(configWith({ host: '127.0.0.1', port: 1 }), '/');
  const results = await runDoctor(inputs);
  t.equal(results.length, 19);
  t.equal(byId(results).sqlite?.status, 'ok', 'better-sqlite3 here has FTS5');
  t.equal(byId(results).thumbnails?.status, 'ok', 'sharp makes thumbnails here');
  t.equal(byId(results).uws?.status, 'ok', 'the uWS binary loads here');
});

t.test('a data folder without a database fails the database check, with a fix', async (t) => {
  const c = byId(await runDoctor(machine('pi5-ssd', { database: { file: '/srv/roostdata/roost.db', found: false } })));
  t.equal(c.database?.status, 'fail');
  t.equal(c.database?.detail, '/srv/roostdata/roost.db not found');
  t.match(c.database?.fix, /roost serve/);
  t.equal(byId(await runDoctor(machine('pi5-ssd'))).database?.status, 'ok');
});

t.test('the Matrix server_name: shown once stored, said ahead when not, a conflicting setting fails', async (t) => {
  t.match(byId(await runDoctor(machine('pi5-ssd'))).matrix, { status: 'ok', detail: /not chosen yet: "roostpi" at the next start/ });
  t.match(byId(await runDoctor(machine('pi5-ssd', {}, { matrixServerName: 'chat.home' }))).matrix, { status: 'ok', detail: /"chat\.home" at the next start/ });
  const stored = { database: { file: '/var/lib/roost/roost.db', found: true, matrixServerName: 'roostpi' } };
  t.match(byId(await runDoctor(machine('pi5-ssd', stored))).matrix, { status: 'ok', detail: /roostpi: users are @name:roostpi/ });
  const clash = byId(await runDoctor(machine('pi5-ssd', stored, { matrixServerName: 'chat.home' }))).matrix;
  t.match(clash, { status: 'fail', detail: /configured "chat\.home" but this database's is "roostpi"/ });
});

t.test('the assistant: off, on within the LAN, or warned about when remote targets are allowed', async (t) => {
  t.match(byId(await runDoctor(machine('pi5-ssd'))).assistant, { status: 'ok', detail: 'off' });
  const on = (allowRemote: boolean) => ({ database: { file: '/var/lib/roost/roost.db', found: true, assistant: { enabled: true, url: 'http://192.168.1.20:11434', model: 'llama3.2:3b', allowRemote } } });
  t.match(byId(await runDoctor(machine('pi5-ssd', on(false)))).assistant, { status: 'ok', detail: /on: llama3\.2:3b at http:\/\/192\.168\.1\.20:11434 \(LAN only/ });
  t.match(byId(await runDoctor(machine('pi5-ssd', on(true)))).assistant, { status: 'warn', detail: /remote targets allowed/, fix: /without --allow-remote/ });
});
