import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configWith } from '../../src/config/load.js';
import { ListenError } from '../../src/gateway/listen.js';
import { startServer } from '../../src/gateway/server.js';
import { createLogger } from '../../src/log.js';
import { lockPath } from '../../src/store/db/data-lock.js';
import { freePort } from '../helpers/free-port.js';
import { startTestServer } from '../helpers/server.js';

t.test('a second server on a port in use is refused, and the first keeps serving', async (t) => {
  const first = await startTestServer({ port: await freePort() });
  t.teardown(() => first.close());
  const otherData = mkdtempSync(join(tmpdir(), 'roost-listen-'));
  t.teardown(() => rmSync(otherData, { recursive: true, force: true }));
  const config = configWith({ dataDir: otherData, host: '127.0.0.1', port: first.port, logLevel: 'silent', mdns: false });
  const second = await startServer(config, createLogger({ level: 'silent', pretty: false })).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  // A server that did start (sharing the port) is closed, so the failure is reported rather than hung.
  if (!(second instanceof Error)) await second.close();
  t.ok(second instanceof ListenError, 'refused with a ListenError');
  t.equal(second instanceof Error ? second.message : '', `port ${first.port} on 127.0.0.1 is in use by another program — is Roost already running? choose another with --port`);
  t.notOk(existsSync(lockPath(otherData)), 'the refused server let go of its data folder');
  t.ok((await fetch(`${first.http}/healthz`)).ok, 'the first server still answers');
});

t.test('a host that is not this machine\'s is refused with its own reason', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'roost-listen-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // 192.0.2.0/24 is reserved for documentation: never an interface address.
  const config = configWith({ dataDir, host: '192.0.2.1', port: 0, logLevel: 'silent', mdns: false });
  await t.rejects(startServer(config, createLogger({ level: 'silent', pretty: false })), { name: 'ListenError', message: /192\.0\.2\.1 is not an address of this machine/ });
});
