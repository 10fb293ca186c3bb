import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t from 'tap';
import { defaultWebDir, loadWebAssets, pickEncoding } from '../../src/gateway/static-routes.js';
import { startTestServer } from '../helpers/server.js';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** A GET with exactly these headers (fetch would add its own Accept-Encoding and decode). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('the client picks brotli, then gzip, and honours q=0', async (t) => {
  t.equal(pickEncoding('gzip, deflate, br'), 'br');
  t.equal(pickEncoding('gzip'), 'gzip');
  t.equal(pickEncoding('br;q=0, gzip;q=0.8'), 'gzip');
  t.equal(pickEncoding('identity'), undefined);
  t.equal(pickEncoding(''), undefined);
  t.equal(pickEncoding('*;q=0'), undefined);
});

t.test('the built client is found beside the server and every code file has compressed twins', async (t) => {
  const assets = loadWebAssets(defaultWebDir());
  const index = assets.get('/index.html');
  t.ok(index, 'dist/web/index.html is built (npm run build)');
  const code = [...assets.entries()].filter(([url]) => /\/assets\/app-[A-Z0-9]{8}\.(js|css)$/.test(url));
  t.equal(code.length, 2, 'one hashed script and one hashed stylesheet');
  for (const [url, a] of code) {
    t.ok(a.gzip !== undefined && a.br !== undefined, `${url} has .gz and .br`);
    t.same(gunzipSync(a.gzip ?? Buffer.alloc(0)), a.identity, `${url}.gz decodes to the file`);
    t.same(brotliDecompressSync(a.br ?? Buffer.alloc(0)), a.identity, `${url}.br decodes to the file`);
  }
});

t.test('GET / serves index.html uncached with the security headers; assets are immutable and precompressed', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());

  const index = await get(s.port, '/', { 'Accept-Encoding': 'gzip, br' });
  t.equal(index.status, 200);
  t.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(index.headers['cache-control'], 'no-cache', 'index.html is revalidated, so a new build is picked up at once');
  t.equal(index.headers['content-encoding'], 'br');
  t.equal(index.headers['x-content-type-options'], 'nosniff');
  t.equal(index.headers['x-frame-options'], 'DENY');
  const csp = String(index.headers['content-security-policy']);
  t.match(csp, /script-src 'self'(;|$)/, 'scripts from the server only: no inline script, no eval, no CDN');
  t.match(csp, /style-src 'self'(;|$)/, 'styles from the server only');
  t.match(csp, /connect-src 'self'(;|$)/, 'the socket and the API on this server only');
  t.notMatch(csp, /https?:/, 'no other origin anywhere');
  const html = brotliDecompressSync(index.body).toString('utf8');
  const js = /src="(\/assets\/app-[A-Z0-9]{8}\.js)"/.exec(html)?.[1];
  const css = /href="(\/assets\/app-[A-Z0-9]{8}\.css)"/.exec(html)?.[1];
  t.ok(js !== undefined && css !== undefined, 'index.html names the hashed script and stylesheet');
  t.notMatch(html, /<script>(?!<)/, 'no inline script');

  const revalidated = await get(s.port, '/', { 'If-None-Match': String(index.headers.etag) });
  t.equal(revalidated.status, 304, 'an unchanged index.html answers 304');
  t.equal(revalidated.body.length, 0);

  const plain = await get(s.port, js ?? '/missing');
  t.equal(plain.status, 200);
  t.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.equal(plain.headers['content-encoding'], undefined, 'no encoding asked, none given');
  t.equal(plain.headers.vary, 'Accept-Encoding');

  const gz = await get(s.port, js ?? '/missing', { 'Accept-Encoding': 'gzip' });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.same(gunzipSync(gz.body), plain.body, 'gzip answer decodes to the same script');
  t.ok(gz.body.length < plain.body.length / 2, 'and is well under half its size');

  const br = await get(s.port, css ?? '/missing', { 'Accept-Encoding': 'br' });
  t.equal(br.headers['content-type'], 'text/css; charset=utf-8');
  t.equal(br.headers['content-encoding'], 'br');
  t.equal(br.headers['content-security-policy'], index.headers['content-security-policy'], 'assets carry the same headers');

  const missing = await get(s.port, '/assets/app-AAAAAAAA.js');
  t.equal(missing.status, 404, 'an unknown asset is a 404');
  t.match(JSON.parse(missing.body.toString()), { error: { code: 'not_found' } });
});
