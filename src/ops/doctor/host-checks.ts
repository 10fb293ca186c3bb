import { bytes, fail, field, MiB, ok, readUnder, warn, type CheckResult, type DoctorInputs } from './types.js';

export interface PiModel { generation: number | undefined; model: string }

/** A Raspberry Pi's model from the device tree (or cpuinfo's Model line); undefined on other machines. */
export function piModel(root: string): PiModel | undefined {
  const model = (readUnder(root, '/proc/device-tree/model') ?? field(readUnder(root, '/proc/cpuinfo'), 'Model') ?? '').replace(/\0/g, '').trim();
  if (!/^Raspberry Pi/i.test(model)) return undefined;
  const m = model.match(/Raspberry Pi (\d+)/i) ?? model.match(/Raspberry Pi Compute Module (\d+)/i);
  return { generation: m?.[1] === undefined ? undefined : Number(m[1]), model };
}

export function cpuCheck(i: DoctorInputs): CheckResult {
  const cpuinfo = readUnder(i.root, '/proc/cpuinfo');
  const pi = piModel(i.root);
  const cpuName = field(cpuinfo, 'model name') ?? field(cpuinfo, 'Hardware') ?? 'unknown CPU';
  const what = `${pi?.model ?? cpuName} (${i.arch}, ${i.cpuCount} cores)`;
  if (pi === undefined) return ok('cpu', 'CPU and board', what);
  if (pi.generation !== undefined && pi.generation < 4) {
    return warn('cpu', 'CPU and board', `${what}: a Pi ${pi.generation} has 1 GiB of RAM or less and USB 2 storage`,
      'expect a few hundred users at most; a Pi 4 or 5 with a USB SSD holds far more (run roost bench)');
  }
  return ok('cpu', 'CPU and board', `${what}: Raspberry Pi ${pi.generation ?? '(model not recognised)'}`);
}

export function bitsCheck(i: DoctorInputs): CheckResult {
  if (i.arch === 'x64' || i.arch === 'arm64') return ok('os64', '64-bit OS', `Node runs as ${i.arch}`);
  // 32-bit Raspberry Pi OS works (CI runs it under emulation), with a 32-bit process's limits.
  if (i.arch === 'arm') {
    return warn('os64', '64-bit OS', 'Node runs as arm (32-bit): Roost works, but one process addresses at most 3 GiB and Node 20 is the newest Node for armv7',
      'on a Pi 3, 4 or 5, the 64-bit Raspberry Pi OS holds more connections per MiB and gets newer Node releases');
  }
  return fail('os64', '64-bit OS', `Node runs as ${i.arch}; Roost's native modules exist for x64, arm64 and 32-bit arm`,
    'install the 64-bit Raspberry Pi OS (or a 64-bit Debian) and a 64-bit Node.js');
}

/** get_throttled bits: 0-3 happening now, 16-19 happened since boot. */
const THROTTLE_BITS: ReadonlyArray<[number, string]> = [
  [0, 'under-voltage'], [1, 'ARM frequency capped'], [2, 'throttled'], [3, 'soft temperature limit'],
];

export function throttleCheck(i: DoctorInputs): CheckResult {
  const id = 'throttle';
  const title = 'Power and temperature (Pi)';
  if (piModel(i.root) === undefined) return ok(id, title, 'not a Raspberry Pi: no firmware flag to read');
  let raw = readUnder(i.root, '/sys/devices/platform/soc/soc:firmware/get_throttled')?.trim();
  if (raw === undefined) {
    const r = i.run('vcgencmd', ['get_throttled']);
    if (r.status === 0) raw = r.stdout.replace(/^throttled=/, '').trim();
  }
  if (raw === undefined || raw === '') return warn(id, title, 'cannot read the throttling flag (no get_throttled in sysfs, no vcgencmd)', 'install the libraspberrypi-bin package for vcgencmd');
  const flags = Number.parseInt(raw.replace(/^0x/i, ''), 16);
  if (!Number.isFinite(flags)) return warn(id, title, `unreadable throttling flag "${raw}"`, 'run: vcgencmd get_throttled');
  const now = THROTTLE_BITS.filter(([b]) => (flags & (1 << b)) !== 0).map(([, n]) => n);
  const past = THROTTLE_BITS.filter(([b]) => (flags & (1 << (b + 16))) !== 0).map(([, n]) => n);
  const fix = 'use the official power supply (5 V 3 A for a Pi 4, 5 V 5 A for a Pi 5) and a case with a heatsink or fan; under-voltage corrupts SD cards';
  if (now.length > 0) return fail(id, title, `now: ${now.join(', ')} (flag ${raw})`, fix);
  if (past.length > 0) return warn(id, title, `since boot: ${past.join(', ')} (flag ${raw})`, fix);
  return ok(id, title, `no under-voltage or throttling since boot (flag ${raw})`);
}

function kib(meminfo: string | undefined, key: string): number | undefined {
  const v = field(meminfo, key);
  return v === undefined ? undefined : Number.parseInt(v, 10) * 1024;
}

export function memoryCheck(i: DoctorInputs): CheckResult {
  const meminfo = readUnder(i.root, '/proc/meminfo');
  const total = kib(meminfo, 'MemTotal');
  const available = kib(meminfo, 'MemAvailable');
  const swap = kib(meminfo, 'SwapTotal') ?? 0;
  if (total === undefined || available === undefined) return warn('memory', 'Memory and swap', 'cannot read /proc/meminfo', 'check that /proc is mounted');
  const detail = `${bytes(available)} available of ${bytes(total)}; swap ${swap === 0 ? 'none' : bytes(swap)}`;
  if (available < 64 * MiB) return fail('memory', 'Memory and swap', detail, 'stop other services or use a Pi with more RAM; Roost needs about 100 MiB plus ~10 KiB per connection');
  if (available < total * 0.1) return warn('memory', 'Memory and swap', detail, 'less than 10% of RAM is free: find what uses it (ps aux --sort=-rss | head)');
  if (swap === 0 && total < 2048 * MiB) return warn('memory', 'Memory and swap', detail, 'with under 2 GiB of RAM and no swap, a spike ends in the OOM killer; add zram swap (apt install systemd-zram-generator)');
  return ok('memory', 'Memory and swap', detail);
}

export function clockCheck(i: DoctorInputs): CheckResult {
  const id = 'clock';
  const title = 'Clock synchronisation';
  const fix = 'enable NTP: sudo timedatectl set-ntp true (a Pi has no battery clock; message timestamps are evidence)';
  if (readUnder(i.root, '/run/systemd/timesync/synchronized') !== undefined) return ok(id, title, 'systemd-timesyncd reports the clock synchronised');
  const r = i.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  if (r.status === 0 && r.stdout.trim() === 'yes') return ok(id, title, 'timedatectl: NTPSynchronized=yes');
  if (r.status === 0 && r.stdout.trim() === 'no') return fail(id, title, 'timedatectl: NTPSynchronized=no', fix);
  const chrony = i.run('chronyc', ['-n', 'tracking']);
  if (chrony.status === 0 && /Leap status\s*:\s*Normal/.test(chrony.stdout)) return ok(id, title, 'chrony: synchronised');
  return warn(id, title, 'cannot tell (no systemd-timesyncd flag, timedatectl or chrony answer)', fix);
}

function procNumber(i: DoctorInputs, path: string): number | undefined {
  const v = readUnder(i.root, path)?.trim().split(/\s+/)[0];
  return v === undefined || v === '' ? undefined : Number(v);
}

/** Soft limit on open files from /proc/self/limits. */
export function openFilesLimit(i: DoctorInputs): number | undefined {
  const line = readUnder(i.root, '/proc/self/limits')?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined ? undefined : soft === 'unlimited' ? Infinity : Number(soft);
}

export function nofileCheck(i: DoctorInputs): CheckResult {
  const limit = openFilesLimit(i);
  const want = i.config.maxConnections + 256;
  const title = 'Open files limit';
  if (limit === undefined) return warn('nofile', title, 'cannot read /proc/self/limits', 'check with: ulimit -n');
  const detail = `ulimit -n is ${limit}; maxConnections ${i.config.maxConnections} needs about ${want}`;
  const fix = `the systemd unit sets LimitNOFILE=262144; in a shell: ulimit -n ${want}; or lower maxConnections`;
  if (limit < 1024) return fail('nofile', title, detail, fix);
  if (limit < want) return warn('nofile', title, `${detail}: the server will refuse connections beyond about ${limit - 256}`, fix);
  return ok('nofile', title, detail);
}

interface Sysctl { path: string; name: string; min: (i: DoctorInputs) => number; why: string }

const SYSCTLS: readonly Sysctl[] = [
  { path: '/proc/sys/net/core/somaxconn', name: 'net.core.somaxconn', min: () => 1024, why: 'a burst of reconnects after a restart overflows a short accept queue' },
  { path: '/proc/sys/net/ipv4/tcp_max_syn_backlog', name: 'net.ipv4.tcp_max_syn_backlog', min: () => 1024, why: 'half-open connections during a reconnect storm' },
  { path: '/proc/sys/fs/file-max', name: 'fs.file-max', min: (i) => i.config.maxConnections + 4096, why: 'system-wide open files must cover every socket' },
  { path: '/proc/sys/fs/nr_open', name: 'fs.nr_open', min: () => 262144, why: 'LimitNOFILE in the unit cannot exceed it' },
];

export function sysctlCheck(i: DoctorInputs): CheckResult {
  const low: string[] = [];
  const seen: string[] = [];
  for (const s of SYSCTLS) {
    const v = procNumber(i, s.path);
    if (v === undefined) continue;
    seen.push(`${s.name}=${v}`);
    if (v < s.min(i)) low.push(`${s.name}=${v} (want >= ${s.min(i)}: ${s.why})`);
  }
  if (seen.length === 0) return warn('sysctl', 'Kernel settings', 'cannot read /proc/sys', 'check that /proc is mounted');
  if (low.length > 0) {
    return warn('sysctl', 'Kernel settings', low.join('; '),
      `write the values to /etc/sysctl.d/90-roost.conf (e.g. ${low.map((l) => `${l.split('=')[0]}=${SYSCTLS.find((s) => l.startsWith(s.name))?.min(i) ?? ''}`).join(', ')}) and run: sudo sysctl --system`);
  }
  return ok('sysctl', 'Kernel settings', seen.join(', '));
}
