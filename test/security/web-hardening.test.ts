import { request } from 'node:http';
import t, { type Test } from 'tap';
import { isLoopbackAddress } from '../../src/gateway/loopback.js';
import { TestClient } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

function expectHardened(t: Test, headers: Headers, what: string): void {
  t.equal(headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  t.equal(headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
  t.equal(headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  const csp = headers.get('content-security-policy') ?? '';
  t.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  t.match(csp, /default-src 'self'/, `${what}: CSP default-src self`);
  t.match(csp, /script-src 'self'(;|$)/, `${what}: scripts only from the server (the bundled client), no inline, no eval`);
  t.equal(headers.get('strict-transport-security'), null, `${what}: no HSTS`);
}

/** The upgrade answer for a WS request with the given Origin (status 101 or the refusal). */
function upgradeStatus(port: number, token: string, origin?: string, host = `127.0.0.1:${port}`): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Host: host, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Authorization: `Bearer ${token}`,
    };
    if (origin !== undefined) headers.Origin = origin;
    const req = request({ host: '127.0.0.1', port, path: '/ws', headers, timeout: 20_000 });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

t.test('security headers on every kind of HTTP answer', async (t) => {
  const s = await startTestServer({ loginFailuresPerUser: 1, loginBackoffSeconds: 60 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const auth = { Authorization: `Bearer ${alice.token}` };
  const cases: Array<[string, string, RequestInit, number]> = [
    ['healthz 200', '/healthz', {}, 200],
    ['rooms 200', '/api/v1/rooms', { headers: auth }, 200],
    ['rooms 401', '/api/v1/rooms', {}, 401],
    ['unknown API route 404', '/api/v1/nope', {}, 404],
    ['unknown route 404', '/no/such/page', {}, 404],
    ['login 400', '/api/v1/login', { method: 'POST', body: '{' }, 400],
    ['login 401', '/api/v1/login', { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wrong' }) }, 401],
    ['login 429', '/api/v1/login', { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wrong' }) }, 429],
    ['body too large 413', '/api/v1/rooms/1/messages', { method: 'POST', headers: auth, body: 'x'.repeat(70_000) }, 413],
    ['metrics 200', '/metrics', {}, 200],
    ['ws without upgrade', '/ws', {}, 0],
  ];
  for (const [what, path, init, status] of cases) {
    const res = await fetch(`${s.http}${path}`, init);
    await res.arrayBuffer();
    if (status !== 0) t.equal(res.status, status, what);
    if (res.status === 426 || status !== 0 || res.status >= 400) expectHardened(t, res.headers, `${what} (${res.status})`);
  }
  const root = await fetch(`${s.http}/`);
  await root.arrayBuffer();
  expectHardened(t, root.headers, `GET / (${root.status})`);
});

t.test('WebSocket upgrades check Origin: own host and configured origins pass, others are refused', async (t) => {
  const s = await startTestServer({ allowedOrigins: ['https://chat.example.org'] });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  t.equal(await upgradeStatus(s.port, alice.token), 101, 'no Origin (a script, the bench): allowed');
  t.equal(await upgradeStatus(s.port, alice.token, `http://127.0.0.1:${s.port}`), 101, 'the server\'s own origin');
  t.equal(await upgradeStatus(s.port, alice.token, 'https://chat.example.org'), 101, 'a configured origin');
  t.equal(await upgradeStatus(s.port, alice.token, 'HTTPS://CHAT.EXAMPLE.ORG'), 101, 'origins compare case-insensitively');
  t.equal(await upgradeStatus(s.port, alice.token, 'https://evil.example'), 403, 'a foreign site (cross-site WebSocket hijacking)');
  t.equal(await upgradeStatus(s.port, alice.token, `http://127.0.0.1:${s.port + 1}`), 403, 'same host, other port');
  t.equal(await upgradeStatus(s.port, alice.token, 'null'), 403, 'a sandboxed or file: page');
  // A DNS-rebinding page (Host and Origin both evil.example) passes the Origin check but has no
  // token: tokens are bearer values in the real origin's storage, never cookies a browser adds.
  t.equal(await upgradeStatus(s.port, '', 'http://evil.example', 'evil.example'), 401, 'a rebinding page without a token gets nothing');
  await t.rejects(TestClient.connect(s.ws, alice.token, { Origin: 'https://evil.example' }), /403/);
});

t.test('/metrics: served to loopback; elsewhere only with an admin token', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const res = await fetch(`${s.http}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  t.match(await res.text(), /roost_connections/);
  for (const ip of ['127.0.0.1', '127.0.0.2', '::1', '0000:0000:0000:0000:0000:0000:0000:0001', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) {
    t.ok(isLoopbackAddress(ip), `${ip} is loopback`);
  }
  for (const ip of ['10.0.0.5', '192.168.1.20', '::2', 'fe80::1', '128.0.0.1', '::ffff:10.0.0.1', '', '1.2.3.4.5', '0000:0000:0000:0000:0000:0000:0001:0001']) {
    t.notOk(isLoopbackAddress(ip), `${ip || '(empty)'} is not loopback`);
  }
});
