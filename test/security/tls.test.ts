import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { hashPassword } from '../../src/auth/password.js';
import { tlsFiles } from '../../src/gateway/tls.js';
import { createCertificates, detectNames, mergeNames } from '../../src/gateway/tls-certs.js';
import { addUser } from '../../src/store/admin/admin.js';
import { startTestServer } from '../helpers/server.js';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function httpsCall(port: number, path: string, opts: { ca?: string; method?: string; body?: string; servername?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port, path, method: opts.method ?? 'GET', ca: opts.ca, servername: opts.servername ?? 'localhost', timeout: 20_000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

t.test('TLS end to end: roost cert create output verifies, HTTPS and WSS work, plain HTTP fails cleanly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = await createCertificates(join(dir, 'tls'), mergeNames(detectNames(), ['chat.example', '10.0.0.7']));
  const ca = readFileSync(files.caCert, 'utf8');

  t.test('the certificate names the host, its .local name and LAN addresses, and is signed by the CA', async (t) => {
    const cert = new X509Certificate(readFileSync(files.cert));
    const san = cert.subjectAltName ?? '';
    for (const name of detectNames().dns) t.match(san, `DNS:${name}`);
    t.match(san, 'DNS:chat.example');
    t.match(san, 'IP Address:127.0.0.1');
    t.match(san, 'IP Address:10.0.0.7');
    t.ok(cert.verify(new X509Certificate(ca).publicKey), 'signed by the CA key');
    t.equal(cert.ca, false);
    t.equal(new X509Certificate(ca).ca, true);
    t.match(files.caFingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    t.equal(statSync(files.key).mode & 0o777, 0o600, 'server key is owner-only');
    t.equal(statSync(files.caKey).mode & 0o777, 0o600, 'CA key is owner-only');
  });

  t.test('a second run reuses the CA, so devices need not trust a new one', async (t) => {
    const again = await createCertificates(join(dir, 'tls'), detectNames());
    t.equal(again.caCreated, false);
    t.equal(again.caFingerprint, files.caFingerprint);
  });

  const s = await startTestServer({ tlsCert: files.cert, tlsKey: files.key });
  t.teardown(() => s.close());
  const password = 'correct horse battery staple';
  const hash = await hashPassword(password);
  s.admin((db) => addUser(db, 'alice', 'member', hash));

  t.test('a client that trusts only the created CA logs in over HTTPS; no HSTS header is sent', async (t) => {
    const health = await httpsCall(s.port, '/healthz', { ca });
    t.equal(health.status, 200);
    t.equal(health.headers['strict-transport-security'], undefined, 'HSTS stays off (LAN names change)');
    t.equal(health.headers['x-content-type-options'], 'nosniff');
  });

  t.test('the certificate also verifies for the 127.0.0.1 address (IP SAN), not only by name', async (t) => {
    // servername '' makes Node check the IP address against the IP SANs.
    const r = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: s.port, path: '/healthz', ca, timeout: 20_000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    t.equal(r, 200);
  });

  t.test('a client that does not trust the CA is refused by its own verification', async (t) => {
    await t.rejects(httpsCall(s.port, '/healthz', {}), /self[- ]signed|unable to verify|certificate/i);
  });

  t.test('WSS with the CA: upgrade, ping, pong', async (t) => {
    const login = await httpsCall(s.port, '/api/v1/login', { ca, method: 'POST', body: JSON.stringify({ username: 'alice', password }) });
    t.equal(login.status, 200);
    const token = (JSON.parse(login.body) as { token: string }).token;
    const ws = new WebSocket(`wss://localhost:${s.port}/ws`, { ca, headers: { Authorization: `Bearer ${token}` } });
    const pong = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no pong in 5 s')), 5000);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'ping', id: 'p1' })));
      ws.once('message', (d) => { clearTimeout(timer); resolve(String(d)); });
      ws.once('error', reject);
    });
    t.same(JSON.parse(pong), { type: 'pong', id: 'p1' });
    ws.close();
  });

  t.test('plain HTTP on the TLS port fails at once (no hang, no answer), and the server carries on', async (t) => {
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: s.port, path: '/healthz', timeout: 20_000 }, (res) => { res.resume(); resolve(`answered ${res.statusCode}`); });
      req.on('timeout', () => { req.destroy(); resolve('timeout'); });
      req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      req.end();
    });
    t.match(outcome, /^error /, `plain request got: ${outcome}`);
    t.comment(`failed after ${Date.now() - started} ms (a hang would have ended as 'timeout')`);
    const health = await httpsCall(s.port, '/healthz', { ca });
    t.equal(health.status, 200);
  });
});

t.test('TLS settings are checked before the server starts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = await createCertificates(join(dir, 'a'), { dns: ['localhost'], ips: ['127.0.0.1'] });
  const b = await createCertificates(join(dir, 'b'), { dns: ['localhost'], ips: ['127.0.0.1'] });
  t.equal(tlsFiles({ tlsCert: '', tlsKey: '' }), undefined, 'neither: plain HTTP');
  t.throws(() => tlsFiles({ tlsCert: a.cert, tlsKey: '' }), /both a certificate and a key/);
  t.throws(() => tlsFiles({ tlsCert: join(dir, 'missing.crt'), tlsKey: a.key }), /cannot read the TLS certificate .*ENOENT/);
  t.throws(() => tlsFiles({ tlsCert: a.cert, tlsKey: b.key }), /do not work together/);
  t.same(tlsFiles({ tlsCert: a.cert, tlsKey: a.key }), { cert: a.cert, key: a.key });
});
