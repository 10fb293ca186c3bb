/**
 * What the service worker serves from its cache: the built shell only; never
 * the API, the socket, files or history, and never a page other than the app's.
 */
import t from 'tap';
import { cacheName, CACHE_PREFIX, routeOf } from '../../src/web/sw-policy.js';

const origin = 'https://pi.local:8443';
const shell = new Set(['/assets/app-ABCDEF12.js', '/assets/app-ABCDEF12.css', '/manifest.webmanifest']);
const get = (path: string, mode = 'no-cors') => ({ method: 'GET', url: `${origin}${path}`, mode });

t.test('the build\'s own assets come from the cache', async (t) => {
  t.equal(routeOf(get('/assets/app-ABCDEF12.js'), origin, shell), 'shell');
  t.equal(routeOf(get('/manifest.webmanifest'), origin, shell), 'shell');
  t.equal(routeOf(get('/assets/app-OLDBUILD.js'), origin, shell), 'network', 'another build\'s file is not served from this cache');
  t.equal(routeOf(get('/assets/app-ABCDEF12.js?x=1'), origin, shell), 'network', 'a query makes it another request');
});

t.test('the API, the socket, files and history are never cached', async (t) => {
  for (const path of ['/api/v1/rooms', '/api/v1/rooms/1/messages?limit=50', '/api/v1/files/9?cap=x', '/api/v1/avatars/3', '/ws?token=abc', '/join/abcdef']) {
    t.equal(routeOf(get(path), origin, shell), 'network', path);
  }
  t.equal(routeOf({ method: 'POST', url: `${origin}/assets/app-ABCDEF12.js`, mode: 'cors' }, origin, shell), 'network', 'only GET is answered from the cache');
  t.equal(routeOf({ method: 'GET', url: 'https://elsewhere.example/assets/app-ABCDEF12.js', mode: 'cors' }, origin, shell), 'network', 'other origins pass');
  t.equal(routeOf({ method: 'GET', url: 'not a url', mode: 'cors' }, origin, shell), 'network');
});

t.test('opening the app tries the network and can fall back to the cached page', async (t) => {
  t.equal(routeOf(get('/', 'navigate'), origin, shell), 'page');
  t.equal(routeOf(get('/index.html', 'navigate'), origin, shell), 'page');
  t.equal(routeOf(get('/join/token', 'navigate'), origin, shell), 'network', 'the invite page is the server\'s, always fresh');
  t.equal(routeOf(get('/admin/other', 'navigate'), origin, shell), 'network');
});

t.test('each build has its own cache name under one prefix', async (t) => {
  t.equal(cacheName('V1'), `${CACHE_PREFIX}V1`);
  t.not(cacheName('V1'), cacheName('V2'));
});
