import { reasonOf } from '../../gateway/image-probe.js';
import { fail, ok, warn, type CheckResult, type DoctorInputs } from './types.js';

function versionAtLeast(version: string, min: readonly number[]): boolean {
  const parts = version.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10));
  for (let k = 0; k < min.length; k++) {
    const a = parts[k] ?? 0;
    const b = min[k] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

export function glibcCheck(i: DoctorInputs): CheckResult {
  if (i.glibc === undefined) return fail('glibc', 'C library', 'not glibc (musl or another libc)', 'use Debian or Raspberry Pi OS: the WebSocket binary is built against glibc');
  if (!versionAtLeast(i.glibc, [2, 27])) return fail('glibc', 'C library', `glibc ${i.glibc}; the WebSocket binary needs 2.27 or newer`, 'upgrade to Debian 12 (bookworm) / Raspberry Pi OS bookworm or newer');
  return ok('glibc', 'C library', `glibc ${i.glibc}`);
}

export function nodeCheck(i: DoctorInputs): CheckResult {
  const major = Number.parseInt(i.nodeVersion.replace(/^v/, ''), 10);
  const detail = `Node ${i.nodeVersion} (ABI ${i.abi})`;
  if (major === 22) return ok('node', 'Node.js', `${detail}: the maintained LTS`);
  if (major === 24) return ok('node', 'Node.js', `${detail}: the newest LTS (its WebSocket binary needs glibc 2.38+: Debian 13 / Raspberry Pi OS trixie)`);
  if (major === 20) return warn('node', 'Node.js', `${detail}: supported, but past its end of life (April 2026)`, 'install Node 22, then run: npm rebuild (native modules are built per Node version)');
  return fail('node', 'Node.js', `${detail}: Roost supports Node 20, 22 and 24`, 'install Node 22 (e.g. from NodeSource or the official tarball), then: npm rebuild');
}

export function uwsCheck(i: DoctorInputs): CheckResult {
  try {
    i.loadUws();
    return ok('uws', 'WebSocket binary (uWebSockets.js)', 'loads');
  } catch (err) {
    return fail('uws', 'WebSocket binary (uWebSockets.js)', (err as Error).message, 'use Linux (x64, arm64 or 32-bit arm) with glibc 2.27+ and Node 20 or 22, or x64/arm64 with glibc 2.38+ and Node 24; reinstall with: npm ci');
  }
}

export function sqliteCheck(i: DoctorInputs): CheckResult {
  try {
    const { version, fts5 } = i.sqlite();
    if (!fts5) return fail('sqlite', 'SQLite', `SQLite ${version} without FTS5: search cannot work`, 'reinstall better-sqlite3 (its bundled SQLite has FTS5): npm rebuild better-sqlite3');
    if (!versionAtLeast(version, [3, 43])) return warn('sqlite', 'SQLite', `SQLite ${version}: older than the 3.43 contentless-delete FTS5 Roost uses`, 'reinstall: npm rebuild better-sqlite3');
    return ok('sqlite', 'SQLite', `SQLite ${version} with FTS5`);
  } catch (err) {
    return fail('sqlite', 'SQLite', `better-sqlite3 does not load: ${(err as Error).message}`, 'rebuild it for this Node: npm rebuild better-sqlite3');
  }
}

/** A warning, not a failure: without sharp, uploads still work, only thumbnails and image dimensions are missing. */
export async function thumbnailCheck(i: DoctorInputs): Promise<CheckResult> {
  const title = 'Image thumbnails (sharp)';
  try {
    await i.thumbnails();
    return ok('thumbnails', title, 'sharp loads and makes thumbnails');
  } catch (err) {
    return warn('thumbnails', title, `no thumbnails or image dimensions for uploads: ${reasonOf(err)}`,
      'reinstall sharp for this machine (64-bit OS, Node 20 or 22): npm rebuild sharp, or npm ci');
  }
}

export async function portCheck(i: DoctorInputs): Promise<CheckResult> {
  const { host, port } = i.config;
  const title = 'Reachable on the LAN';
  if (/^(127\.|::1$|localhost$)/.test(host)) {
    return warn('port', title, `host is ${host}: only this machine can connect`, 'set "host": "0.0.0.0" in the config to serve the LAN');
  }
  const addresses = host === '0.0.0.0' || host === '::' ? i.lanAddresses() : [host];
  if (addresses.length === 0) return warn('port', title, 'this machine has no LAN address', 'connect it to the network (ip addr shows its addresses)');
  const results = await Promise.all(addresses.map(async (a) => [a, await i.probePort(a, port)] as const));
  const open = results.filter(([, up]) => up).map(([a]) => `${a}:${port}`);
  const closed = results.filter(([, up]) => !up).map(([a]) => `${a}:${port}`);
  if (closed.length === 0) return ok('port', title, `answering on ${open.join(', ')} (tested from this machine; a firewall between devices is not)`);
  return warn('port', title, `nothing answers on ${closed.join(', ')}${open.length > 0 ? `; answering on ${open.join(', ')}` : ''}`,
    'start the server (roost service status), and allow the port in any firewall (e.g. sudo ufw allow ' + port + '/tcp)');
}
