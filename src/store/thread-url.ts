/** The store's worker threads, each a separate entry point (a path under src/store/, without extension). */
export const STORE_THREADS = ['write/writer-thread', 'search/search-thread', 'admin/admin-thread', 'backup/backup-thread'] as const;
export type StoreThread = (typeof STORE_THREADS)[number];

/** Defined (true) by scripts/build-server.mjs in the bundled server; absent under tsc and the test loader. */
declare const ROOST_BUNDLE: boolean | undefined;

/**
 * Where a thread's entry file is. Three layouts run this code: sources under the
 * test loader (src/store/…/x.ts), tsc's output (dist/src/store/…/x.js, which the
 * bench scripts import) and the bundle `roost` runs (dist/bundle/x.js, every
 * entry and chunk in one folder, so beside whichever chunk holds this function).
 */
export function storeThreadUrl(thread: StoreThread): URL {
  if (typeof ROOST_BUNDLE !== 'undefined') return new URL(`./${bundledEntry(thread)}`, import.meta.url);
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${thread}${ext}`, import.meta.url);
}

/** A thread's file name in the bundle (scripts/build-server.mjs names each entry after its file). */
export function bundledEntry(thread: StoreThread): string {
  return `${thread.slice(thread.indexOf('/') + 1)}.js`;
}
