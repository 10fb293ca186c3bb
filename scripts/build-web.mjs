#!/usr/bin/env node
// Builds the browser client (src/web) into dist/web: one minified ES module and one
// stylesheet with content-hashed names (cached forever), index.html naming them (never
// cached), and .gz/.br twins of every file so the server sends them precompressed.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

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

// The icon gets a content hash like esbuild's (8 characters, A-Z and 0-9) so it is cached forever too.
const iconBytes = readFileSync(join(src, 'icon.svg'));
const iconHash = createHash('sha256').update(iconBytes).digest('hex').slice(0, 8).toUpperCase();
const iconName = `icon-${iconHash}.svg`;
copyFileSync(join(src, 'icon.svg'), join(assets, iconName));

const html = readFileSync(join(src, 'index.html'), 'utf8')
  .replace('%APP_JS%', output('.js'))
  .replace('%APP_CSS%', output('.css'))
  .replace('%ICON%', `/assets/${iconName}`);
writeFileSync(join(out, 'index.html'), html);

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
