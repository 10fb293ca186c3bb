import { basename } from 'node:path';
import { describeWear, wearOf, wearSeverity } from './storage-wear.js';
import { bytes, fail, GiB, MiB, ok, readUnder, realpathUnder, warn, type CheckResult, type DoctorInputs } from './types.js';

export interface Mount { mountPoint: string; majMin: string; source: string; fsType: string }

/** The mount holding `path`: the longest mount point in /proc/self/mountinfo that contains it. */
export function mountOf(root: string, path: string): Mount | undefined {
  let best: Mount | undefined;
  for (const line of (readUnder(root, '/proc/self/mountinfo') ?? '').split('\n')) {
    const [left, right] = line.split(' - ');
    const f = left?.split(' ') ?? [];
    const r = right?.split(' ') ?? [];
    const mountPoint = f[4]?.replace(/\\040/g, ' ');
    if (mountPoint === undefined || f[2] === undefined) continue;
    const inside = mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
    if (inside && (best === undefined || mountPoint.length >= best.mountPoint.length)) {
      best = { mountPoint, majMin: f[2], source: r[1] ?? '', fsType: r[0] ?? '' };
    }
  }
  return best;
}

/** mmcblk0p2 -> mmcblk0, nvme0n1p2 -> nvme0n1, sda2 -> sda. */
export function diskOf(device: string): string {
  const m = device.match(/^(mmcblk\d+|nvme\d+n\d+|loop\d+)(p\d+)?$/) ?? device.match(/^([a-z]+)\d*$/);
  return m?.[1] ?? device;
}

export interface Storage { device: string; disk: string; kind: 'sd' | 'usb' | 'nvme' | 'virtual' | 'disk' | 'unknown'; rotational: boolean | undefined; mount: Mount }

export function storageOf(i: DoctorInputs): Storage | undefined {
  const mount = mountOf(i.root, i.dataDir);
  if (mount === undefined) return undefined;
  const fromSource = mount.source.startsWith('/dev/') ? basename(mount.source) : undefined;
  const linked = realpathUnder(i.root, `/sys/dev/block/${mount.majMin}`);
  const device = fromSource !== undefined && fromSource !== 'root' ? fromSource : linked !== undefined ? basename(linked) : mount.source;
  const disk = diskOf(device);
  const sysPath = realpathUnder(i.root, `/sys/block/${disk}`) ?? '';
  const rot = readUnder(i.root, `/sys/block/${disk}/queue/rotational`)?.trim();
  const rotational = rot === undefined ? undefined : rot === '1';
  const kind = disk.startsWith('mmcblk') ? 'sd'
    : sysPath.includes('/usb') ? 'usb'
    : disk.startsWith('nvme') ? 'nvme'
    : /^(vd|xvd)/.test(disk) || sysPath.includes('/virtio') ? 'virtual'
    : /^(sd|hd)/.test(disk) ? 'disk' : 'unknown';
  return { device, disk, kind, rotational, mount };
}

export function storageCheck(i: DoctorInputs): CheckResult {
  const s = storageOf(i);
  const title = 'Storage under the data folder';
  if (s === undefined) return warn('storage', title, `cannot find the mount of ${i.dataDir}`, 'check /proc/self/mountinfo');
  const wear = wearOf(i.root, s.disk);
  const kind = storageKindCheck(i, s, title);
  const detail = `${kind.detail}; ${describeWear(wear)}`;
  switch (wearSeverity(wear)) {
    case 'fail':
      return fail('storage', title, detail, 'back up now (roost backup) and move the data folder to new storage: worn-out flash turns read-only or loses data');
    case 'warn':
      return warn('storage', title, detail, 'plan a replacement: back up (roost backup) and move the data folder to new storage before it wears out');
    default:
      return { ...kind, detail };
  }
}

function storageKindCheck(i: DoctorInputs, s: Storage, title: string): CheckResult {
  const where = `${i.dataDir} is on ${s.device} (${s.mount.fsType}, mounted at ${s.mount.mountPoint})`;
  const rot = s.rotational === true ? ', rotational' : s.rotational === false ? ', solid state' : '';
  switch (s.kind) {
    case 'sd':
      return warn('storage', title, `${where}: an SD card${rot}`,
        'SD cards are slow to fsync and wear out under writes: move the data folder to a USB 3 SSD (or boot from one) for more messages per second and a longer life');
    case 'usb':
      return s.rotational === true
        ? warn('storage', title, `${where}: a USB hard disk`, 'a spinning disk works but each commit waits for the platter; a USB SSD is several times faster')
        : ok('storage', title, `${where}: USB storage${rot}`);
    case 'nvme':
      return ok('storage', title, `${where}: NVMe${rot}`);
    case 'virtual':
      return ok('storage', title, `${where}: a virtual disk${rot}`);
    default:
      return s.rotational === true
        ? warn('storage', title, `${where}: a spinning disk`, 'commits wait for the platter; an SSD is several times faster')
        : ok('storage', title, `${where}${rot}`);
  }
}

export function spaceCheck(i: DoctorInputs): CheckResult {
  const st = i.statfs(i.dataDir);
  const title = 'Free space and inodes';
  if (st === undefined) return warn('space', title, `cannot statfs ${i.dataDir}`, 'check that the data folder exists');
  const free = st.bavail * st.bsize;
  const total = st.blocks * st.bsize;
  const inodeShare = st.files > 0 ? st.ffree / st.files : 1;
  const detail = `${bytes(free)} free of ${bytes(total)}; ${st.files > 0 ? `${(inodeShare * 100).toFixed(0)}% of inodes free` : 'no inode limit'}`;
  const fix = 'free space (journalctl --vacuum-size=100M, apt clean), set a retention period, or move the data folder to a larger disk; SQLite refuses writes on a full disk and Roost answers unavailable';
  if (free < 200 * MiB || inodeShare < 0.01) return fail('space', title, detail, fix);
  if (free < 2 * GiB || free < total * 0.1 || inodeShare < 0.05) return warn('space', title, detail, fix);
  return ok('space', title, detail);
}

export function databaseCheck(i: DoctorInputs): CheckResult {
  const title = 'Roost database';
  if (i.database.found) return ok('database', title, i.database.file);
  return fail('database', title, `${i.database.file} not found`,
    'check --data, ROOST_DATA or dataDir in the config file; `roost serve` (or `roost service install`) creates it');
}

/** The Matrix door's server_name: chosen once, because user and room ids are built on it. */
export function matrixNameCheck(i: DoctorInputs): CheckResult {
  const id = 'matrix';
  const title = 'Matrix server_name';
  const configured = i.config.matrixServerName;
  const stored = i.database.matrixServerName;
  if (stored === undefined) {
    return ok(id, title, `not chosen yet: "${configured !== '' ? configured : i.hostname}" at the next start (then it never changes)`);
  }
  if (configured !== '' && configured !== stored) {
    return fail(id, title, `configured "${configured}" but this database's is "${stored}": the server refuses to start`,
      `remove matrixServerName from the config (ids like @alice:${stored} must never change)`);
  }
  return ok(id, title, `${stored}: users are @name:${stored}`);
}

export function synchronousCheck(i: DoctorInputs): CheckResult {
  if (i.config.synchronous === 'FULL') {
    return ok('synchronous', 'Durability (SQLite synchronous)', 'FULL: every acked message survives a power cut');
  }
  return warn('synchronous', 'Durability (SQLite synchronous)',
    'NORMAL: a crash loses nothing, but a power cut can lose the last moments of messages that were already acked',
    'set "synchronous": "FULL" unless you measured that the disk cannot keep up and accept that risk');
}
