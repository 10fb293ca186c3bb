import { networkInterfaces } from 'node:os';
import type { TemplatedApp, us_listen_socket } from '@based/uws';

/**
 * uSockets' LIBUS_LISTEN_EXCLUSIVE_PORT. Without it uWS sets SO_REUSEPORT, and
 * a second Roost on the same port also "starts": the kernel then splits
 * connections between two servers with two databases.
 */
const LISTEN_EXCLUSIVE_PORT = 1;

/** The binary takes (host, port, options, cb); @based/uws's index.d.ts declares options only without a host. */
type ListenWithOptions = (host: string, port: number, options: number, cb: (token: us_listen_socket | false) => void) => TemplatedApp;

/** The address cannot be had: another program holds the port, or the host is not this machine's. */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/** Wildcards, loopback names and the addresses of this machine's interfaces. */
function isLocalAddress(host: string): boolean {
  if (['0.0.0.0', '::', 'localhost', ''].includes(host)) return true;
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.address.toLowerCase() === bare) return true;
  }
  return false;
}

/** uWS says only "false"; what could have failed is told apart by whether the host is ours. */
export function listenFailure(host: string, port: number): ListenError {
  return isLocalAddress(host)
    ? new ListenError(`port ${port} on ${host} is in use by another program — is Roost already running? choose another with --port`)
    : new ListenError(`cannot listen on ${host}:${port}: ${host} is not an address of this machine — choose another with --host`);
}

/** Listens on host:port alone: a port another socket holds is refused, never shared. */
export function listenExclusive(app: TemplatedApp, host: string, port: number): Promise<us_listen_socket> {
  const listen = app.listen.bind(app) as unknown as ListenWithOptions;
  return new Promise((resolve, reject) => {
    listen(host, port, LISTEN_EXCLUSIVE_PORT, (token) => {
      if (token) resolve(token);
      else reject(listenFailure(host, port));
    });
  });
}
