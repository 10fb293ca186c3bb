import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { STORE_THREADS, bundledEntry, storeThreadUrl } from '../../src/store/thread-url.js';

t.test('under the sources, every store thread resolves to its entry file', async (t) => {
  for (const thread of STORE_THREADS) {
    const file = fileURLToPath(storeThreadUrl(thread));
    t.ok(file.endsWith(`/src/store/${thread}.ts`), file);
    t.ok(existsSync(file), `${thread} exists`);
  }
});

t.test('the bundle `roost` runs holds every store thread as an entry beside its chunks', async (t) => {
  const bundle = fileURLToPath(new URL('../../dist/bundle/', import.meta.url));
  t.ok(existsSync(join(bundle, 'roost.js')), 'dist/bundle/roost.js is built (npm run build)');
  const files = new Set(readdirSync(bundle));
  for (const thread of STORE_THREADS) t.ok(files.has(bundledEntry(thread)), `${thread} is bundled`);
});
