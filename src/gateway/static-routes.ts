import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Logger } from '../log.js';
import { packageRoot } from '../ops/package-root.js';
import { Exchange, SECURITY_HEADERS, statusLine } from './http.js';
import type { HttpRoutes } from './http-guard.js';

/**
 * The browser client, built into dist/web by scripts/build-web.mjs, served
 * from memory: index.html must be revalidated (it names the current assets),
 * hashed assets never change and are cached for a year, and every file is
 * sent precompressed (brotli or gzip) when the browser accepts it.
 */

export interface WebAsset {
  readonly type: string;
  readonly cacheControl: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly gzip?: Buffer;
  readonly br?: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** esbuild's `[name]-[hash]` names: the hash part is 8 upper-case letters and digits. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

/** The built web client, dist/web in the package, whichever layout runs (sources, tsc's output or the bundle). */
export function defaultWebDir(): string {
  return join(packageRoot(), 'dist', 'web');
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Reads the built client into memory once, at start-up (a few hundred KB), keyed by URL path. */
export function loadWebAssets(dir: string): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  if (!existsSync(join(dir, 'index.html'))) return assets;
  const files = new Set(filesUnder(dir));
  for (const file of files) {
    if (file.endsWith('.gz') || file.endsWith('.br')) continue;
    const type = TYPES[extname(file)];
    if (type === undefined) continue;
    const url = `/${relative(dir, file).split(sep).join('/')}`;
    const identity = readFileSync(file);
    const etag = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`;
    const immutable = url.startsWith('/assets/') && HASHED.test(url);
    const gzip = files.has(`${file}.gz`) ? readFileSync(`${file}.gz`) : undefined;
    const br = files.has(`${file}.br`) ? readFileSync(`${file}.br`) : undefined;
    assets.set(url, { type, etag, identity, gzip, br, cacheControl: immutable ? IMMUTABLE : 'no-cache' });
  }
  return assets;
}

/** The best encoding the client accepts: brotli, then gzip, else none. `q=0` means "not acceptable". */
export function pickEncoding(acceptEncoding: string): 'br' | 'gzip' | undefined {
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

function serve(res: HttpResponse, req: HttpRequest, asset: WebAsset): void {
  const notModified = req.getHeader('if-none-match') === asset.etag;
  const encoding = notModified ? undefined : pickEncoding(req.getHeader('accept-encoding'));
  const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : undefined;
  res.cork(() => {
    res.writeStatus(statusLine(notModified ? 304 : 200));
    for (const [k, v] of SECURITY_HEADERS) res.writeHeader(k, v);
    res.writeHeader('Cache-Control', asset.cacheControl);
    res.writeHeader('ETag', asset.etag);
    res.writeHeader('Vary', 'Accept-Encoding');
    if (notModified) {
      res.endWithoutBody();
      return;
    }
    res.writeHeader('Content-Type', asset.type);
    if (body !== undefined && encoding !== undefined) res.writeHeader('Content-Encoding', encoding);
    res.end(body ?? asset.identity);
  });
}

/** Mounts GET / and one exact route per built file; without a build, / says how to make one. */
export function mountStatic(app: HttpRoutes, log: Logger, dir: string = defaultWebDir()): void {
  const assets = loadWebAssets(dir);
  const index = assets.get('/index.html');
  if (index === undefined) {
    log.warn({ dir }, 'web client not built; run `npm run build`');
    app.get('/', (res) => new Exchange(res).error('not_found', 'the web client is not built; run `npm run build`'));
    return;
  }
  app.get('/', (res, req) => serve(res, req, index));
  // An invitation link opens the client, whose join page reads the token from the path.
  app.get('/join/:token', (res, req) => serve(res, req, index));
  for (const [url, asset] of assets) app.get(url, (res, req) => serve(res, req, asset));
  log.debug({ dir, files: assets.size }, 'web client loaded');
}
