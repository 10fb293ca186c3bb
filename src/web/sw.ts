/**
 * The service worker (built to /sw.js). The build fills in SW_VERSION and
 * SW_SHELL, so every build is a new worker: it caches its own shell on
 * install, takes over at once, and deletes the caches of older builds, so an
 * update takes effect on the next load.
 */
import { CACHE_PREFIX, cacheName, routeOf } from './sw-policy.js';

declare const SW_VERSION: string;
declare const SW_SHELL: readonly string[];

// The DOM library has no service-worker types (they are in WebWorker, which clashes with it): the few used here.
interface LifecycleEvent extends Event { waitUntil(p: Promise<unknown>): void }
interface FetchingEvent extends LifecycleEvent { readonly request: Request; respondWith(r: Promise<Response>): void }
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', fn: (e: LifecycleEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchingEvent) => void): void;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  readonly location: Location;
}

const scope = self as unknown as WorkerScope;
const CACHE = cacheName(SW_VERSION);
const SHELL = new Set(SW_SHELL);

scope.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll([...SHELL, '/'])).then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
    await scope.clients.claim();
  })());
});

scope.addEventListener('fetch', (e) => {
  const route = routeOf(e.request, scope.location.origin, SHELL);
  if (route === 'network') return;
  if (route === 'shell') {
    e.respondWith(caches.match(e.request, { cacheName: CACHE }).then((hit) => hit ?? fetch(e.request)));
    return;
  }
  // The page names the current build's assets: the network's copy when there is one.
  e.respondWith(fetch(e.request).catch(async () => (await caches.match('/', { cacheName: CACHE })) ?? Response.error()));
});
