/**
 * What the service worker does with a request: the app shell (the built
 * HTML, script, stylesheet and icons) comes from its cache, so the app opens
 * on a bad network; a page load tries the network first and falls back to
 * the cached page; anything else (the API, the socket, files, history) goes
 * to the network untouched and is never stored.
 */
export type SwRoute = 'shell' | 'page' | 'network';

/** The cache of one build's shell; a new build's worker deletes every other one. */
export const CACHE_PREFIX = 'roost-shell-';

export function cacheName(version: string): string {
  return `${CACHE_PREFIX}${version}`;
}

export function routeOf(req: { method: string; url: string; mode: string }, origin: string, shell: ReadonlySet<string>): SwRoute {
  if (req.method !== 'GET') return 'network';
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return 'network';
  }
  if (url.origin !== origin) return 'network';
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws' || url.pathname.startsWith('/join/')) return 'network';
  if (req.mode === 'navigate') return url.pathname === '/' || url.pathname === '/index.html' ? 'page' : 'network';
  return shell.has(url.pathname) && url.search === '' ? 'shell' : 'network';
}
