import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';

/**
 * A private certificate authority for one Roost box, and the server
 * certificate it signs. Devices trust the CA once; the server certificate can
 * be re-made (new LAN address, new name) without touching the devices again,
 * because an existing CA in the folder is reused.
 *
 * Made with `selfsigned` (pure JS over WebCrypto): no openssl binary is needed
 * at run time and nothing is downloaded. It is imported only when a
 * certificate is made: loaded, it costs every `roost` process ~10 MiB of RSS.
 */

export interface CertNames { dns: string[]; ips: string[] }

export interface CertFiles {
  dir: string;
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the CA, AA:BB:… as devices show it. */
  caFingerprint: string;
  caCreated: boolean;
  names: CertNames;
  notAfter: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Ten years: the CA is what devices are asked to trust, so it should rarely change. */
const CA_DAYS = 3650;
/** Apple devices refuse server certificates valid for more than 825 days. */
export const SERVER_DAYS = 825;

/** This machine's names and LAN addresses: hostname, hostname.local, localhost, every non-link-local IP. */
export function detectNames(): CertNames {
  const host = hostname().toLowerCase();
  const dns = ['localhost', host];
  if (!host.endsWith('.local')) dns.push(`${host}.local`);
  const ips = ['127.0.0.1', '::1'];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')) continue;
      ips.push(a.address);
    }
  }
  return { dns, ips };
}

/** Adds `--host` values (names or addresses) to the detected ones, without duplicates. */
export function mergeNames(base: CertNames, extra: readonly string[]): CertNames {
  const dns = new Set(base.dns);
  const ips = new Set(base.ips);
  for (const raw of extra) {
    const v = raw.trim().toLowerCase();
    if (v === '') continue;
    if (isIP(v) !== 0) ips.add(v);
    else if (/^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v)) dns.add(v);
    else throw new Error(`"${raw}" is neither a host name nor an IP address`);
  }
  return { dns: [...dns], ips: [...ips] };
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Creates (or reuses) the CA in `dir` and writes a fresh server certificate for `names`. */
export async function createCertificates(dir: string, names: CertNames, now = new Date()): Promise<CertFiles> {
  const { generate } = await import('selfsigned');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = join(dir, 'ca.crt');
  const caKeyPath = join(dir, 'ca.key');
  let caCreated = false;
  if (!existsSync(caCertPath) || !existsSync(caKeyPath)) {
    const ca = await generate(
      [{ name: 'commonName', value: `Roost local CA (${hostname()}) ${now.toISOString().slice(0, 10)}` }, { name: 'organizationName', value: 'Roost' }],
      {
        keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
        notBeforeDate: new Date(now.getTime() - DAY_MS), notAfterDate: new Date(now.getTime() + CA_DAYS * DAY_MS),
        extensions: [
          { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ],
      },
    );
    writePrivate(caKeyPath, ca.private);
    writeFileSync(caCertPath, ca.cert, { mode: 0o644 });
    caCreated = true;
  }
  const caCert = readFileSync(caCertPath, 'utf8');
  const caKey = readFileSync(caKeyPath, 'utf8');
  const notAfter = new Date(now.getTime() + SERVER_DAYS * DAY_MS);
  const server = await generate([{ name: 'commonName', value: names.dns[1] ?? names.dns[0] ?? 'roost' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - DAY_MS), notAfterDate: notAfter,
    ca: { key: caKey, cert: caCert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  writePrivate(keyPath, server.private);
  writeFileSync(certPath, server.cert, { mode: 0o644 });
  return {
    dir, caCert: caCertPath, caKey: caKeyPath, cert: certPath, key: keyPath,
    caFingerprint: fingerprintOf(caCert), caCreated, names, notAfter: notAfter.toISOString(),
  };
}
