import { createServer } from 'node:net';

/**
 * A port nothing on 127.0.0.1 holds right now. Tests of a taken port need a
 * fixed one: Linux never lets a second SO_REUSEPORT socket join a port that
 * was picked by binding port 0, so port 0 would hide the sharing it checks.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from the probe'))));
    });
  });
}
