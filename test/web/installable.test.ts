/**
 * The client as an installable app, in Chromium against a real server: a
 * manifest with PNG icons (one maskable) and a theme colour, and a service
 * worker that keeps this build's shell, opens the app without a network,
 * and stores nothing from the API.
 */
import sharp from 'sharp';
import t from 'tap';
import { launchBrowser, newPage, signIn, startWorld } from './harness.js';

interface Manifest { name: string; start_url: string; display: string; theme_color: string; icons: Array<{ src: string; sizes: string; type: string; purpose: string }> }

t.test('the app has a manifest, icons and a service worker that caches the shell and never the API', async (t) => {
  const world = await startWorld({ people: [{ name: 'alice' }], rooms: { general: ['alice'] } });
  t.teardown(() => world.close());
  const http = world.server.http;

  const res = await fetch(`${http}/manifest.webmanifest`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^application\/manifest\+json/);
  const manifest = (await res.json()) as Manifest;
  t.equal(manifest.start_url, '/');
  t.equal(manifest.display, 'standalone');
  t.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
  const pngs = manifest.icons.filter((i) => i.type === 'image/png');
  for (const want of [{ px: 192, purpose: 'any' }, { px: 512, purpose: 'any' }, { px: 512, purpose: 'maskable' }]) {
    const icon = pngs.find((i) => i.sizes === `${want.px}x${want.px}` && i.purpose === want.purpose);
    if (icon === undefined) {
      t.fail(`no ${want.px} px ${want.purpose} PNG icon`);
      continue;
    }
    const img = await fetch(`${http}${icon.src}`);
    t.equal(img.status, 200, `${icon.src} is served`);
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    t.same([meta.format, meta.width, meta.height], ['png', want.px, want.px], `${want.purpose} icon is a ${want.px} px PNG`);
  }
  const sw = await fetch(`${http}/sw.js`);
  t.equal(sw.status, 200);
  t.match(sw.headers.get('content-type'), /javascript/);
  t.equal(sw.headers.get('cache-control'), 'no-cache', 'the worker is revalidated, so a new build is found');

  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const { context, page } = await newPage(browser);
  t.teardown(() => context.close());
  await signIn(page, http, world.people.alice!);
  t.ok(await page.locator('link[rel="manifest"]').count() === 1 && await page.locator('meta[name="theme-color"]').count() >= 1, 'the page names its manifest and theme colour');
  await t.resolves(page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined)), 'the service worker is installed');
  await page.locator(`a.room[data-room="${world.rooms.general}"]`).click();
  await page.locator('#composer-input').fill('hello');
  await page.keyboard.press('Enter');
  await page.locator('.group.mine .msg:not(.pending)').waitFor();

  const cached = await page.evaluate(async () => {
    const out: string[] = [];
    for (const key of await caches.keys()) for (const req of await (await caches.open(key)).keys()) out.push(`${key} ${new URL(req.url).pathname}`);
    return out;
  });
  const paths = cached.map((c) => c.split(' ')[1] ?? '');
  t.ok(paths.some((p) => /^\/assets\/app-[A-Z0-9]{8}\.js$/.test(p)), 'the script is cached');
  t.ok(paths.some((p) => /^\/assets\/app-[A-Z0-9]{8}\.css$/.test(p)), 'the stylesheet is cached');
  t.ok(paths.includes('/'), 'the page is cached');
  t.same(paths.filter((p) => p.startsWith('/api/') || p.startsWith('/ws')), [], 'nothing from the API or the socket is cached');
  t.equal(new Set(cached.map((c) => c.split(' ')[0])).size, 1, 'one cache: this build\'s');

  await t.test('without a network the app still opens, and says it is offline', async (t) => {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
    await context.setOffline(true);
    await page.reload();
    await t.resolves(page.locator('.sidebar').waitFor(), 'the shell comes from the cache');
    await t.resolves(page.locator('.conn:not([data-state="online"])').waitFor(), 'the connection shows it is not online');
    await context.setOffline(false);
  });
});
