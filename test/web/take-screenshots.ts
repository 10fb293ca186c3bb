// Functions passed to page.evaluate run inside the page, so they need the DOM's types.
/// <reference lib="dom" />
/**
 * Takes the README's screenshots of rooms and accounts (not a test: run it
 * by hand after `npm run build`, it writes docs/screenshots/):
 *
 *   node --import ./test/support/typescript.mjs test/web/take-screenshots.ts
 *
 * A world of three people, a room with a topic and a few room changes in its
 * timeline, then: the chat, room settings, the new-room dialog, the profile,
 * and the room on a phone.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, newPage, postMessages, signIn, startWorld, tokenFor } from './harness.js';

const out = new URL('../../docs/screenshots/', import.meta.url).pathname;

async function frame(page: Page, frame: Record<string, unknown>): Promise<void> {
  await page.evaluate((f) => new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(JSON.parse(localStorage.getItem('roost.session') ?? '{}').token as string)}`);
    ws.onopen = () => ws.send(JSON.stringify({ ...f, id: 'shot' }));
    ws.onmessage = (e) => {
      const reply = JSON.parse(String(e.data)) as { id?: string; type: string; message?: string };
      if (reply.id !== 'shot') return;
      ws.close();
      if (reply.type === 'error') reject(new Error(reply.message));
      else resolve();
    };
  }), frame);
}

const world = await startWorld({ people: [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }], rooms: {} });
const browser = await launchBrowser();
try {
  const http = world.server.http;
  const people = world.people;
  const a = await newPage(browser);
  const b = await newPage(browser);
  await signIn(a.page, http, people.alice!);
  await signIn(b.page, http, people.bob!);
  // Display names, where the server has profiles.
  await frame(a.page, { type: 'set_profile', displayName: 'Alice Liddell' }).catch(() => undefined);
  await frame(b.page, { type: 'set_profile', displayName: 'Bob Cratchit' }).catch(() => undefined);

  await a.page.getByRole('button', { name: /New room/ }).click();
  await a.page.locator('#room-name').fill('Weekend trip');
  await a.page.locator('#room-topic').fill('Where we go on Saturday');
  await a.page.locator('#user-query').fill('bo');
  await a.page.locator(`.user-row[data-user="${people.bob!.id}"]`).click();
  await a.page.screenshot({ path: join(out, 'desktop-light-new-room.png') });
  await a.page.getByRole('button', { name: 'Create room' }).click();
  await a.page.waitForFunction(() => /^#\/room\/\d+$/.test(location.hash));
  const room = await a.page.evaluate(() => location.hash.slice('#/room/'.length));
  await b.page.locator(`.invitation[data-room="${room}"]`).getByRole('button', { name: 'Accept' }).click();
  await postMessages(http, await tokenFor(http, people.bob!), room, ['Count me in! The lake or the hills?'], 1);
  await postMessages(http, await tokenFor(http, people.alice!), room, ['The hills, if it stays dry 🌄'], 1);
  await a.page.locator('.body', { hasText: 'if it stays dry' }).waitFor();
  await a.page.screenshot({ path: join(out, 'desktop-light-room-timeline.png') });

  await a.page.getByRole('button', { name: 'Room settings' }).click();
  await a.page.locator('.member-admin li').nth(1).waitFor();
  await a.page.screenshot({ path: join(out, 'desktop-light-room-settings.png') });
  await a.page.locator('dialog[open]').getByRole('button', { name: 'Close' }).click();

  await a.page.goto(`${http}/#/account`);
  await a.page.locator('#display-name').waitFor();
  await a.page.locator('.sessions li').first().waitFor({ timeout: 3000 }).catch(() => undefined);
  await a.page.screenshot({ path: join(out, 'desktop-light-profile.png') });

  const phone = await newPage(browser, { width: 360, height: 740, dark: true });
  await signIn(phone.page, http, people.bob!);
  await phone.page.locator(`a.room[data-room="${room}"]`).click();
  await phone.page.locator('.body', { hasText: 'if it stays dry' }).waitFor();
  await phone.page.screenshot({ path: join(out, 'phone-dark-room-timeline.png') });
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await world.close();
}
