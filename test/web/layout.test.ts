/**
 * What a new user noticed in the layout, checked in Chromium: a phone-sized
 * page fits its screen with every sidebar link on it, an admin's name is
 * shown whole, a message's actions cover no other message, the reaction
 * picker offers a proper set, and "N online" goes away while offline.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, newPage, postMessages, signIn, startWorld, tokenFor } from './harness.js';

interface Box { x: number; y: number; width: number; height: number }
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(page: Page, selector: string): Promise<Box> {
  const b = await page.locator(selector).boundingBox();
  if (b === null) throw new Error(`${selector} is not on screen`);
  return b;
}

/** Notification permission not yet asked, so the "Enable notifications" button shows (headless Chromium denies). */
async function notificationsUndecided(page: Page): Promise<void> {
  await page.addInitScript(() => {
    class Undecided {
      static permission = 'default';
      static requestPermission(): Promise<string> { return Promise.resolve('default'); }
    }
    Object.defineProperty(window, 'Notification', { value: Undecided, configurable: true });
  });
}

t.test('the layout fits a phone, shows names whole, and keeps actions off other messages', async (t) => {
  const world = await startWorld({
    people: [{ name: 'alice' }, { name: 'administrator-jo', role: 'admin' }],
    rooms: { general: ['alice', 'administrator-jo'] },
  });
  t.teardown(() => world.close());
  const http = world.server.http;
  const general = world.rooms.general!;
  const adminToken = await tokenFor(http, world.people['administrator-jo']!);
  await postMessages(http, adminToken, general, ['the message above', 'the message hovered'], 1);
  const browser = await launchBrowser();
  t.teardown(() => browser.close());

  await t.test('a 360 px wide page with the notifications button has no horizontal overflow', async (t) => {
    for (const who of ['alice', 'administrator-jo'] as const) {
      const { context, page } = await newPage(browser, { width: 360, height: 740 });
      await notificationsUndecided(page);
      await signIn(page, http, world.people[who]!);
      await page.getByRole('button', { name: 'Enable notifications' }).waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      t.ok(width <= 360, `${who}: the page is ${width} px wide`);
      const signOut = await box(page, 'button:text("Sign out")');
      t.ok(signOut.x >= 0 && signOut.x + signOut.width <= 360, `${who}: "Sign out" is on screen (x ${signOut.x}..${signOut.x + signOut.width})`);
      await context.close();
    }
  });

  await t.test('the admin\'s name in the sidebar is not cut short', async (t) => {
    const { context, page } = await newPage(browser);
    await signIn(page, http, world.people['administrator-jo']!);
    const me = page.locator('.sidebar-head .me');
    t.equal((await me.textContent())?.trim(), 'administrator-jo');
    const cut = await me.evaluate((el) => el.scrollWidth > el.clientWidth);
    t.notOk(cut, 'the name is shown whole, with no ellipsis');
    await context.close();
  });

  // The admin stays signed in from here on, so alice has someone to see online.
  const other = await newPage(browser);
  t.teardown(() => other.context.close());
  await signIn(other.page, http, world.people['administrator-jo']!);
  const { context, page } = await newPage(browser);
  t.teardown(() => context.close());
  // Alice's socket runs through a relay the test can cut, and refuse while it should stay down.
  let blocked = false;
  let cut: () => void = () => undefined;
  await page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    if (blocked) return void ws.close({ code: 1001, reason: 'cut off by the test' });
    const server = ws.connectToServer();
    cut = () => {
      ws.close({ code: 1001, reason: 'cut off by the test' });
      server.close();
    };
  });
  await signIn(page, http, world.people.alice!);
  await page.locator(`a.room[data-room="${general}"]`).click();
  const above = page.locator('.msg', { hasText: 'the message above' });
  const hovered = page.locator('.msg', { hasText: 'the message hovered' });
  await hovered.waitFor();

  await t.test('the hover toolbar covers neither the message above nor the one it belongs to', async (t) => {
    await hovered.locator('.body').hover();
    const bar = hovered.locator('.actions');
    await bar.waitFor();
    const barBox = await bar.boundingBox();
    const aboveBox = await above.locator('.body').boundingBox();
    const ownBox = await hovered.locator('.body').boundingBox();
    if (barBox === null || aboveBox === null || ownBox === null) throw new Error('toolbar or messages not on screen');
    t.notOk(overlaps(barBox, aboveBox), `toolbar ${JSON.stringify(barBox)} clear of the message above ${JSON.stringify(aboveBox)}`);
    t.notOk(overlaps(barBox, ownBox), 'and of its own message');
    const width = await page.evaluate(() => document.querySelector('.messages')?.scrollWidth ?? 0);
    const client = await page.evaluate(() => document.querySelector('.messages')?.clientWidth ?? 0);
    t.ok(width <= client, 'the toolbar does not make the conversation scroll sideways');
  });

  await t.test('the reaction picker offers a few dozen emoji in groups', async (t) => {
    await hovered.locator('.body').hover();
    await hovered.getByRole('button', { name: 'React', exact: true }).click();
    await hovered.getByRole('button', { name: 'More emoji' }).click();
    const groups = hovered.locator('.emoji-group');
    t.ok(await groups.count() >= 3, 'emoji come in groups');
    const offered = await hovered.locator('.emoji-picker button.emoji').count();
    t.ok(offered >= 40, `${offered} emoji offered`);
    await hovered.getByRole('button', { name: 'React with 🚀' }).click();
    await t.resolves(hovered.locator('.chip', { hasText: '🚀 1' }).waitFor(), 'an emoji from a group is a reaction like the quick ones');
  });

  await t.test('"N online" is shown only while the client is connected', async (t) => {
    const count = page.locator('.roster summary');
    await t.resolves(count.filter({ hasText: '2 online' }).waitFor(), 'both members show as online');
    blocked = true;
    cut();
    await page.locator('.conn:not([data-state="online"])').waitFor();
    await t.resolves(page.waitForFunction(() => !/online/.test(document.querySelector('.roster summary')?.textContent ?? ''), undefined, { timeout: 10_000 }),
      'offline, no one is claimed to be online');
    blocked = false;
    await t.resolves(count.filter({ hasText: '2 online' }).waitFor({ timeout: 30_000 }), 'back online, the count returns');
  });
});
