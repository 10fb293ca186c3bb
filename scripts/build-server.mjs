#!/usr/bin/env node
// Bundles the server `roost` runs into dist/bundle: the CLI and the store's four thread
// entries, sharing chunks, all in one folder. Run from tsc's ~200 modules, every start
// resolved each import (the resolver's hot path got optimised, paging in ~3 MiB of V8's
// compiler) and kept each module's record and source; the bundle keeps the names (stack
// traces stay readable), drops whitespace, and leaves npm packages as imports.
// `roost bench` is not bundled: it loads tsc's dist/bench (which finds its load workers, baseline
// servers and results folder relative to itself), and tsc's dist/src stays for it.
import { rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = 'dist/bundle';
rmSync(join(root, out), { recursive: true, force: true });

/** Imports of bench/… stay imports, of tsc's output beside the bundle (dist/bench/…). */
const benchFromTsc = {
  name: 'bench-from-tsc',
  setup(b) {
    b.onResolve({ filter: /\/bench\// }, (args) => {
      const file = resolve(args.resolveDir, args.path);
      if (!file.startsWith(join(root, 'bench') + sep)) return undefined;
      return { path: `../${relative(root, file).split(sep).join('/')}`, external: true };
    });
  },
};

await build({
  absWorkingDir: root,
  entryPoints: {
    roost: 'src/cli/main.ts',
    'writer-thread': 'src/store/write/writer-thread.ts',
    'search-thread': 'src/store/search/search-thread.ts',
    'admin-thread': 'src/store/admin/admin-thread.ts',
    'backup-thread': 'src/store/backup/backup-thread.ts',
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // src/store/thread-url.ts finds the thread entries beside the chunk that asks.
  define: { ROOST_BUNDLE: 'true' },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  sourcemap: 'linked',
  sourcesContent: false,
  plugins: [benchFromTsc],
  logLevel: 'warning',
});
