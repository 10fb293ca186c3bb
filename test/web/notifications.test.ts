/**
 * Desktop notifications in Chromium: offered until the user answers, shown
 * for live messages only while the user looks elsewhere, and chosen by each
 * room's level (all / mentions only / nothing) and mute. Headless Chromium
 * shows no notification one could observe, so the page's Notification is a
 * recorder with the browser API's shape, and "looking elsewhere" is
 * document.hasFocus() answering false, as it does when another window is in front.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, newPage, postMessages, signIn, startWorld, tokenFor } from './harness.js';

interface Shown { title: string; body: string; tag: string }
type Spy = Window & { shown: Shown[]; elsewhere: boolean; lastNotification?: { onclick: (() => void) | null } };

async function shownCount(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as Spy).shown.length);
}

/** Waits (at most 10 s) for notification number `n` (from 0) and returns it. */
async function nth(page: Page, n: number): Promise<Shown> {
  await page.waitForFunction((i) => (window as unknown as Spy).shown.length > i, n, { timeout: 10_000 });
  return page.evaluate((i) => (window as unknown as Spy).shown[i] as Shown, n);
}

t.test('notifications follow each room\'s level and mute, and only while the user looks elsewhere', async (t) => {
  const world = await startWorld({ people: [{ name: 'alice' }, { name: 'bob' }], rooms: { general: ['alice', 'bob'] }, dms: [['alice', 'bob']] });
  t.teardown(() => world.close());
  const http = world.server.http;
  const general = world.rooms.general!;
  const dm = world.rooms['alice&bob']!;
  const alice = await tokenFor(http, world.people.alice!);
  const say = (room: string, body: string): Promise<void> => postMessages(http, alice, room, [body], 1);
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const { page } = await newPage(browser);
  await page.addInitScript(() => {
    const spy = window as unknown as Spy;
    spy.shown = [];
    spy.elsewhere = false;
    class RecordingNotification {
      static permission: NotificationPermission = 'default';
      static requestPermission(): Promise<NotificationPermission> {
        RecordingNotification.permission = 'granted';
        return Promise.resolve('granted');
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options: { body: string; tag: string }) {
        spy.shown.push({ title, body: options.body, tag: options.tag });
        spy.lastNotification = this;
      }
      close(): void {}
    }
    Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true });
    document.hasFocus = () => !spy.elsewhere;
  });
  // The level and mute apply once the server said `ok` (the client then updates its state).
  let oks = 0;
  page.on('websocket', (ws) => ws.on('framereceived', (f) => { if (String(f.payload).startsWith('{"type":"ok"')) oks++; }));
  const setting = async (change: () => Promise<unknown>): Promise<void> => {
    const before = oks;
    await change();
    for (const until = Date.now() + 10_000; oks === before && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
  };
  await signIn(page, http, world.people.bob!);
  await page.locator(`a.room[data-room="${general}"]`).click();

  const offer = page.getByRole('button', { name: 'Enable notifications' });
  await t.resolves(offer.waitFor(), 'offered while the browser has no answer');
  await offer.click();
  await t.resolves(offer.waitFor({ state: 'detached' }), 'and gone once the user allowed them');

  await say(general, 'while bob is looking');
  await page.locator('.body', { hasText: 'while bob is looking' }).waitFor();
  t.equal(await shownCount(page), 0, 'nothing while the user looks at the page');

  await page.evaluate(() => { (window as unknown as Spy).elsewhere = true; });
  await say(general, 'lunch?');
  t.same(await nth(page, 0), { title: 'alice · general', body: 'lunch?', tag: `roost-room-${general}` }, 'level "all": every message');
  await say(dm, 'a word in private');
  t.match(await nth(page, 1), { title: 'alice', body: 'a word in private' }, 'a direct room is titled with the person');

  await setting(() => page.locator('#notify-level').selectOption('mentions'));
  await say(general, 'nothing for bob here');
  await say(general, '@bob are you in?');
  t.match(await nth(page, 2), { body: '@bob are you in?' }, '"mentions only": the message without his name made none');
  t.equal(await page.locator('#notify-level').inputValue(), 'mentions', 'the select keeps the level chosen');

  await setting(() => page.locator('#notify-level').selectOption('none'));
  await say(general, '@bob hello?');
  await page.locator('.body', { hasText: '@bob hello?' }).waitFor();
  await setting(() => page.locator('#notify-level').selectOption('all'));
  await setting(() => page.getByRole('button', { name: 'Mute' }).click());
  await page.locator('.mute[aria-pressed="true"]').waitFor();
  await say(general, 'muted chatter');
  await say(general, 'muted but @bob');
  t.match(await nth(page, 3), { body: 'muted but @bob' }, '"nothing" made none, and a muted room notifies only what names him');
  t.equal(await shownCount(page), 4);

  await page.evaluate(() => (window as unknown as Spy).lastNotification?.onclick?.());
  await t.resolves(page.waitForURL(new RegExp(`#/room/${general}$`)), 'clicking a notification opens its room');
});
