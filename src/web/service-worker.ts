/**
 * Registers /sw.js, which keeps the app shell for opening on a bad network
 * (see sw.ts). Browsers allow workers only on secure pages (HTTPS, or the
 * machine itself); on plain http://pi:8080 the app simply works without one.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  // A failed registration costs only the offline start; the app works the same.
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
}
