import { lookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Whether an outgoing webhook may reach a host: on the LAN means loopback,
 * RFC 1918 and RFC 4193 private ranges, or link-local. A name (a `.local` one
 * too) counts by the addresses it resolves to, both when the webhook is
 * registered and at every connection (so a name that later resolves outside
 * the LAN is refused then).
 */
const LAN = new BlockList();
LAN.addSubnet('127.0.0.0', 8, 'ipv4');
LAN.addSubnet('10.0.0.0', 8, 'ipv4');
LAN.addSubnet('172.16.0.0', 12, 'ipv4');
LAN.addSubnet('192.168.0.0', 16, 'ipv4');
LAN.addSubnet('169.254.0.0', 16, 'ipv4');
LAN.addAddress('::1', 'ipv6');
LAN.addSubnet('fc00::', 7, 'ipv6');
LAN.addSubnet('fe80::', 10, 'ipv6');

export function isLanAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined) return LAN.check(mapped[1], 'ipv4');
  const family = isIP(bare);
  if (family === 0) return false;
  return LAN.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

export class RemoteTargetError extends Error {
  constructor(host: string) {
    super(`${host} is not on the LAN (loopback, private or link-local addresses, .local names); set webhookAllowRemote to allow it`);
    this.name = 'RemoteTargetError';
  }
}

/** Resolves a URL's host and refuses it unless every address is on the LAN (or remote targets are allowed). */
export async function checkTarget(url: string, allowRemote: boolean): Promise<void> {
  if (allowRemote) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    if (!isLanAddress(host)) throw new RemoteTargetError(host);
    return;
  }
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) => {
    lookup(host, { all: true }, (err, found) => (err ? reject(err) : resolve(found)));
  });
  if (addresses.length === 0 || !addresses.every((a) => isLanAddress(a.address))) throw new RemoteTargetError(host);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses a resolved address outside the LAN at connection time. */
export function lanLookup(allowRemote: boolean) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    lookup(hostname, { ...options, all: true }, (err, found) => {
      if (err) return callback(err, '');
      const usable = allowRemote ? found : found.filter((a) => isLanAddress(a.address));
      if (usable.length === 0) return callback(Object.assign(new RemoteTargetError(hostname), { code: 'EREMOTE' }), '');
      if (options.all === true) return callback(null, usable);
      const first = usable[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
