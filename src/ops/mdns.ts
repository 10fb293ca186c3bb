import { hostname } from 'node:os';
import { Bonjour, type Service } from 'bonjour-service';

/**
 * LAN discovery over mDNS/DNS-SD with `bonjour-service`: it probes for name
 * conflicts, announces, answers queries, sends goodbyes on stop and browses.
 * Hand-writing that responder on `multicast-dns` (which bonjour-service itself
 * builds on) would repeat RFC 6762/6763 details that library already gets right.
 */

export const ROOST_SERVICE_TYPE = 'roost';
export const HTTP_SERVICE_TYPE = 'http';

export interface AdvertiseOptions {
  port: number;
  /** Instance name shown in service browsers; defaults to "Roost on <hostname>". */
  name?: string;
  /** The A/AAAA host name; defaults to "<hostname>.local". */
  host?: string;
  tls: boolean;
  version: string;
  onError: (err: Error) => void;
}

export interface Advertisement {
  readonly name: string;
  readonly host: string;
  /** Sends goodbye packets and closes the multicast socket. */
  stop(): Promise<void>;
}

/** The short host name: mDNS hosts live under .local, whatever the machine's own domain. */
export function localHostName(): string {
  return `${(hostname().split('.')[0] ?? 'roost') || 'roost'}.local`;
}

/** Advertises `_roost._tcp` (what `roost discover` and apps look for) and `_http._tcp` (so any browser list shows the web client). */
export function advertise(o: AdvertiseOptions): Advertisement {
  const host = o.host ?? localHostName();
  const name = o.name ?? `Roost on ${host.replace(/\.local$/, '')}`;
  const bonjour = new Bonjour({}, (err: Error) => o.onError(err));
  const txt = { v: o.version, path: '/ws', api: '/api/v1', tls: o.tls ? '1' : '0' };
  bonjour.publish({ name, type: ROOST_SERVICE_TYPE, port: o.port, host, txt });
  bonjour.publish({ name, type: HTTP_SERVICE_TYPE, port: o.port, host, txt: { path: '/' } });
  return {
    name,
    host,
    stop: () => new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      bonjour.unpublishAll(() => bonjour.destroy(() => {
        clearTimeout(timer);
        resolve();
      }));
    }),
  };
}

export interface FoundServer {
  name: string;
  host: string;
  port: number;
  addresses: string[];
  url: string;
  version: string;
  tls: boolean;
}

function toFound(s: Service): FoundServer {
  const txt = (s.txt ?? {}) as Record<string, unknown>;
  const tls = txt.tls === '1' || txt.tls === 1;
  const addresses = [...(s.addresses ?? [])].sort();
  const v4 = addresses.find((a) => !a.includes(':'));
  const target = v4 ?? s.host;
  return { name: s.name, host: s.host, port: s.port, addresses, url: `${tls ? 'https' : 'http'}://${target}:${s.port}/`, version: String(txt.v ?? ''), tls };
}

/** Listens for `_roost._tcp` answers for `waitMs` and returns every server seen, by name. */
export function discover(waitMs: number, onError: (err: Error) => void = () => {}): Promise<FoundServer[]> {
  const bonjour = new Bonjour({}, (err: Error) => onError(err));
  const found = new Map<string, FoundServer>();
  const browser = bonjour.find({ type: ROOST_SERVICE_TYPE }, (s: Service) => found.set(`${s.name}@${s.host}:${s.port}`, toFound(s)));
  return new Promise((resolve) => {
    setTimeout(() => {
      browser.stop();
      for (const s of browser.services) found.set(`${s.name}@${s.host}:${s.port}`, toFound(s));
      const timer = setTimeout(() => resolve([...found.values()]), 1000);
      bonjour.destroy(() => {
        clearTimeout(timer);
        resolve([...found.values()].sort((a, b) => a.name.localeCompare(b.name)));
      });
    }, waitMs);
  });
}
