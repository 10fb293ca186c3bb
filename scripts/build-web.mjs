#!/usr/bin/env node
// Builds the browser client (src/web) into dist/web: one minified ES module and one
// stylesheet with content-hashed names (cached forever), index.html naming them (never
// cached), the web app manifest with PNG icons rasterised from icon.svg, a service worker
// (sw.js) that caches this build's shell, and .gz/.br twins of every file so the server
// sends them precompressed.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import sharp from 'sharp';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src/web');
const out = join(root, 'dist/web');
const assets = join(out, 'assets');
const started = performance.now();

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'src/web/main.tsx' },
  outdir: assets,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'src/web/tsconfig.json',
  legalComments: 'none',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});

/** The public URL of the built file that came from `entry`, of the given extension. */
function output(ext) {
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    if (info.entryPoint === 'src/web/main.tsx' && file.endsWith(ext)) return `/${relative(out, join(root, file))}`;
    if (ext === '.css' && info.entryPoint === undefined && file.endsWith('.css')) return `/${relative(out, join(root, file))}`;
  }
  throw new Error(`esbuild produced no ${ext} output`);
}

// Icons get a content hash like esbuild's (8 characters, A-Z and 0-9) so they are cached forever too.
const hashOf = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 8).toUpperCase();
function asset(stem, ext, bytes) {
  const name = `${stem}-${hashOf(bytes)}.${ext}`;
  writeFileSync(join(assets, name), bytes);
  return `/assets/${name}`;
}
const iconBytes = readFileSync(join(src, 'icon.svg'));
const iconUrl = asset('icon', 'svg', iconBytes);
const THEME = '#1858c7';
const png = (svg, px) => sharp(Buffer.from(svg), { density: Math.ceil((72 * px) / 64) }).resize(px, px).png({ compressionLevel: 9 }).toBuffer();
// A maskable icon fills its square (the launcher cuts its own shape): the mark shrunk into the
// middle 80 %, the safe zone every mask keeps, on the theme colour.
const mark = /<path[^>]*\/>/.exec(iconBytes.toString('utf8'))?.[0];
if (mark === undefined) throw new Error('icon.svg has no <path/> to make the maskable icon from');
const maskableSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="${THEME}"/><g transform="translate(6.4 6.4) scale(0.8)">${mark}</g></svg>`;
const icons = [
  { src: asset('icon-192', 'png', await png(iconBytes, 192)), sizes: '192x192', type: 'image/png', purpose: 'any' },
  { src: asset('icon-512', 'png', await png(iconBytes, 512)), sizes: '512x512', type: 'image/png', purpose: 'any' },
  { src: asset('icon-maskable-512', 'png', await png(maskableSvg, 512)), sizes: '512x512', type: 'image/png', purpose: 'maskable' },
];
const manifest = {
  name: 'Roost', short_name: 'Roost', description: 'Private chat', id: '/', start_url: '/', scope: '/',
  display: 'standalone', background_color: '#ffffff', theme_color: THEME,
  icons: [...icons, { src: iconUrl, sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
};
writeFileSync(join(out, 'manifest.webmanifest'), JSON.stringify(manifest));

const html = readFileSync(join(src, 'index.html'), 'utf8')
  .replace('%APP_JS%', output('.js'))
  .replace('%APP_CSS%', output('.css'))
  .replace('%ICON%', iconUrl)
  .replace('%TOUCH_ICON%', icons[0].src);
writeFileSync(join(out, 'index.html'), html);

// The worker's shell is this build's files; its version is their hash, so a new build is a new worker.
const shell = [output('.js'), output('.css'), iconUrl, ...icons.map((i) => i.src), '/manifest.webmanifest'];
const version = hashOf(Buffer.from(shell.join('\n') + html));
await build({
  absWorkingDir: root,
  entryPoints: ['src/web/sw.ts'],
  outfile: join(out, 'sw.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  tsconfig: 'src/web/tsconfig.json',
  legalComments: 'none',
  define: { SW_VERSION: JSON.stringify(version), SW_SHELL: JSON.stringify(shell) },
  logLevel: 'warning',
});

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const sizes = [];
for (const file of filesUnder(out)) {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 });
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
  });
  // A compressed twin that saves nothing is not worth a lookup or a Content-Encoding header.
  if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
  if (br.length < raw.length) writeFileSync(`${file}.br`, br);
  sizes.push({ file: relative(out, file), raw: raw.length, gzip: gz.length, br: br.length, ext: extname(file) });
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const s of sizes) console.log(`  dist/web/${s.file.padEnd(34)} ${kb(s.raw).padStart(9)}  gzip ${kb(s.gzip).padStart(8)}  br ${kb(s.br).padStart(8)}`);
const code = sizes.filter((s) => s.ext === '.js' || s.ext === '.css');
const total = code.reduce((n, s) => n + s.gzip, 0);
console.log(`web client: JS+CSS ${kb(total)} gzipped (${kb(code.reduce((n, s) => n + s.br, 0))} brotli), built in ${Math.round(performance.now() - started)} ms`);
writeFileSync(join(root, 'dist/web-build.json'), JSON.stringify({ jsCssGzipBytes: total, files: sizes.map(({ ext, ...s }) => s) }, null, 2));
if (total > 100 * 1024) {
  console.error(`web client is ${kb(total)} gzipped, over the 100 KB budget`);
  process.exit(1);
}
