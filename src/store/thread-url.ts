/** The store's worker threads, each a separate entry point (a path under src/store/, without extension). */
export type StoreThread = 'write/writer-thread' | 'search/search-thread' | 'admin/admin-thread' | 'backup/backup-thread';

/** Defined (true) by scripts/build-server.mjs in the bundled server; absent under tsc and the test loader. */
declare const ROOST_BUNDLE: boolean | undefined;

/**
 * Where a thread's entry file is. Three layouts run this code: sources under the
 * test loader (src/store/…/x.ts), tsc's output (dist/src/store/…/x.js, which the
 * bench scripts import) and the bundle `roost` runs (dist/bundle/x.js, every
 * entry and chunk in one folder, so beside whichever chunk holds this function).
 */
export function storeThreadUrl(thread: StoreThread): URL {
  if (typeof ROOST_BUNDLE !== 'undefined') return new URL(`./${thread.slice(thread.indexOf('/') + 1)}.js`, import.meta.url);
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${thread}${ext}`, import.meta.url);
}
