// Module hooks that run the tests' TypeScript straight from src/ and test/:
// esbuild strips the types of each file as it loads (no type checking; `npm run
// typecheck` does that once). It replaces tap's ts-node loader, which spent
// about half of the suite's CPU compiling the same files in every test process.
//
// Every test file is its own process and most load the same few hundred
// sources, so each stripped file is kept in node_modules/.cache, keyed by its
// path, its text, the options and esbuild's version: a process whose files are all cached
// never starts esbuild at all.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TS = /\.tsx?$/;
const RELATIVE_JS = /^(\.{1,2}\/|\/|file:).*\.js$/;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'roost-test-ts');
const ESBUILD_VERSION = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;

/** esbuild, loaded on the first file not in the cache. */
let esbuild;

/** Sources import each other as `./x.js` (what tsc emits); before the build, that file is `./x.ts` or `./x.tsx`. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (!RELATIVE_JS.test(specifier)) throw err;
    const base = specifier.slice(0, -3);
    return nextResolve(`${base}.ts`, context).catch(() => nextResolve(`${base}.tsx`, context)).catch(() => { throw err; });
  }
}

/** What every file is stripped with (the loader and the source file's name are added per file). */
const OPTIONS = { format: 'esm', target: 'node20', sourcemap: 'inline', jsx: 'automatic', jsxImportSource: 'preact' };

async function strip(file, source) {
  esbuild ??= await import('esbuild');
  const { code } = await esbuild.transform(source, { ...OPTIONS, loader: file.endsWith('.tsx') ? 'tsx' : 'ts', sourcefile: file });
  return code;
}

/** Two test processes may strip the same file at once: each writes its own temporary file and renames it into place. */
function remember(path, code) {
  try {
    mkdirSync(CACHE, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, code);
    renameSync(temporary, path);
  } catch {
    // A cache that cannot be written only costs the next process a transform.
  }
}

export async function load(url, context, nextLoad) {
  if (!TS.test(url) || !url.startsWith('file:')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, 'utf8');
  const key = createHash('sha256').update(`${ESBUILD_VERSION}\0${JSON.stringify(OPTIONS)}\0${file}\0`).update(source).digest('hex');
  const path = join(CACHE, `${key}.js`);
  let code;
  try {
    code = await readFile(path, 'utf8');
  } catch {
    code = await strip(file, source);
    remember(path, code);
  }
  return { format: 'module', source: code, shortCircuit: true };
}
