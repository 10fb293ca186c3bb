// Module hooks that run the tests' TypeScript straight from src/ and test/:
// esbuild strips the types of each file as it loads (no type checking; `npm run
// typecheck` does that once). It replaces tap's ts-node loader, which spent
// about half of the suite's CPU compiling the same files in every test process.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const TS = /\.tsx?$/;
const RELATIVE_JS = /^(\.{1,2}\/|\/|file:).*\.js$/;

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

export async function load(url, context, nextLoad) {
  if (!TS.test(url) || !url.startsWith('file:')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const { code } = await transform(await readFile(file, 'utf8'), {
    loader: file.endsWith('.tsx') ? 'tsx' : 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: file,
    sourcemap: 'inline',
    jsx: 'automatic',
    jsxImportSource: 'preact',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
