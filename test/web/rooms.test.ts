// Functions passed to page.evaluate run inside the page, so they need the DOM's types.
/// <reference lib="dom" />
/**
 * Rooms and accounts in Chromium, as people use them, against a real server:
 * a room made with an invitee, the invitation accepted in another browser,
 * rename, role change, removal, leaving, a direct message, a display name
 * seen by the other side, and a phone-sized page without sideways overflow.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, newPage, signIn, startWorld } from './harness.js';

/** The grey line a room change leaves in the timeline. */
const line = (page: Page, text: string) => page.locator('.event-line', { hasText: text });

async function pickUser(page: Page, query: string, id: string): Promise<void> {
  const dialog = page.locator('dialog[open]');
  await dialog.locator('#user-query').fill(query);
  await dialog.locator(`.user-row[data-user="${id}"]`).click();
}

/** The room the page opened after an action: a room address other than `before` (the page may still show an older one). */
async function roomIdOf(page: Page, before?: string): Promise<string> {
  await page.waitForFunction((old) => /^#\/room\/\d+$/.test(location.hash) && location.hash !== `#/room/${old}`, before, { timeout: 30_000 });
  return page.evaluate(() => location.hash.slice('#/room/'.length));
}

t.test('people make rooms, invite, accept, rename, change roles, remove, leave and write directly', async (t) => {
  const world = await startWorld({ people: [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }], rooms: {} });
  t.teardown(() => world.close());
  const http = world.server.http;
  const { alice, bob, carol } = world.people as Record<string, { id: string; name: string; password: string; role: 'member' }>;
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const a = await newPage(browser);
  const b = await newPage(browser);
  const c = await newPage(browser, { width: 360, height: 740 });
  await signIn(a.page, http, alice!);
  await signIn(b.page, http, bob!);
  await signIn(c.page, http, carol!);

  // Alice makes a room with a topic, inviting bob and carol.
  await a.page.getByRole('button', { name: /New room/ }).click();
  await a.page.locator('#room-name').fill('trips');
  await a.page.locator('#room-topic').fill('Where next?');
  await pickUser(a.page, 'bo', bob!.id);
  await pickUser(a.page, 'car', carol!.id);
  await a.page.getByRole('button', { name: 'Create room' }).click();
  const room = await roomIdOf(a.page);
  await t.resolves(line(a.page, 'You created the room “trips”').waitFor(), 'the room opens with its creation in the timeline');
  await t.resolves(line(a.page, 'You invited bob').waitFor(), 'and the invitations');
  t.equal(await a.page.locator('.conv-topic').textContent(), 'Where next?', 'the topic shows under the name');

  // Bob sees the invitation at once and accepts it; alice sees him join.
  const invitation = b.page.locator(`.invitation[data-room="${room}"]`);
  await t.resolves(invitation.waitFor(), 'the invitation reaches bob without a reload');
  t.match(await invitation.textContent(), /alice invited you/);
  await invitation.getByRole('button', { name: 'Accept' }).click();
  await t.resolves(b.page.locator('#room-title', { hasText: 'trips' }).waitFor(), 'accepting opens the room');
  await t.resolves(line(a.page, 'bob joined').waitFor(), 'alice sees bob join');

  // Carol, on a phone, accepts too; the page fits the phone, the room and its settings included.
  await c.page.locator(`.invitation[data-room="${room}"]`).getByRole('button', { name: 'Accept' }).click();
  await c.page.locator('#room-title', { hasText: 'trips' }).waitFor();
  const phoneWidth = async (): Promise<number> => c.page.evaluate(() => document.documentElement.scrollWidth);
  t.ok(await phoneWidth() <= 360, 'a room on a 360 px phone has no sideways overflow');
  await c.page.getByRole('button', { name: 'Room settings' }).click();
  await c.page.locator('.member-admin li').first().waitFor();
  t.ok(await phoneWidth() <= 360, 'nor do its settings');
  t.equal(await c.page.locator('#settings-name').getAttribute('readonly'), '', 'a member cannot rename');
  t.equal(await c.page.locator('.member-admin select').count(), 0, 'nor change roles');

  // Alice renames the room; both see it in the timeline and the room list.
  await a.page.getByRole('button', { name: 'Room settings' }).click();
  await a.page.locator('#settings-name').fill('holidays');
  await a.page.locator('dialog[open]').getByRole('button', { name: 'Save' }).click();
  await a.page.locator('dialog[open] .form-ok').waitFor();
  await t.resolves(line(b.page, 'alice renamed the room to “holidays”').waitFor(), 'bob sees the rename as a line');
  await t.resolves(b.page.locator(`a.room[data-room="${room}"] .room-name`, { hasText: 'holidays' }).waitFor(), 'and in his room list');

  // Alice makes bob a moderator: he may now rename, and says so in the timeline.
  await a.page.locator(`dialog[open] .member-admin li[data-user="${bob!.id}"] select`).selectOption('moderator');
  await t.resolves(line(b.page, 'alice made you moderator').waitFor(), 'the role change is a timeline line');
  await b.page.getByRole('button', { name: 'Room settings' }).click();
  await t.resolves(b.page.waitForFunction(() => document.querySelector('#settings-name')?.hasAttribute('readonly') === false), 'a moderator may rename');
  await b.page.locator('dialog[open]').getByRole('button', { name: 'Close' }).click();

  // Carol leaves from her settings; alice sees it.
  await c.page.locator('dialog[open]').getByRole('button', { name: 'Leave room' }).click();
  await t.resolves(c.page.locator(`a.room[data-room="${room}"]`).waitFor({ state: 'detached' }), 'the room leaves carol\'s list');
  await t.resolves(line(a.page, 'carol left').waitFor(), 'alice sees carol leave');

  // Alice removes bob: the room leaves his list at once.
  await a.page.locator(`dialog[open] .member-admin li[data-user="${bob!.id}"]`).getByRole('button', { name: 'Remove' }).click();
  await t.resolves(b.page.locator(`a.room[data-room="${room}"]`).waitFor({ state: 'detached' }), 'bob no longer has the room');
  await t.resolves(line(a.page, 'You removed bob').waitFor(), 'alice sees the removal');
  await a.page.locator('dialog[open]').getByRole('button', { name: 'Close' }).click();

  // Bob writes to alice directly: the room is named by the other person on each side.
  await b.page.getByRole('button', { name: /New message/ }).click();
  await pickUser(b.page, 'ali', alice!.id);
  // Bob's address bar still names the room he was removed from until the direct room opens.
  const dm = await roomIdOf(b.page, room);
  await t.resolves(b.page.locator('#room-title', { hasText: 'alice' }).waitFor(), 'a direct room is named by the other person');
  await b.page.locator('#composer-input').fill('hello Alice');
  await b.page.keyboard.press('Enter');
  await t.resolves(a.page.locator(`a.room[data-room="${dm}"] .room-name`, { hasText: 'bob' }).waitFor(), 'alice sees the direct room named bob');
  await a.page.locator(`a.room[data-room="${dm}"]`).click();
  await t.resolves(a.page.locator('.body', { hasText: 'hello Alice' }).waitFor(), 'and the message');

  // A display name set on the account page names alice on bob's side.
  await t.test('a display name is seen by the other person', async (t) => {
    await a.page.goto(`${http}/#/account`);
    await a.page.locator('#display-name').fill('Alice Liddell');
    await a.page.locator('form[aria-labelledby="profile-title"]').getByRole('button', { name: 'Save' }).click();
    await a.page.locator('form[aria-labelledby="profile-title"] .form-ok').waitFor();
    await t.resolves(b.page.locator('#room-title', { hasText: 'Alice Liddell' }).waitFor(), 'bob\'s direct room takes her display name');
    await t.resolves(b.page.locator('.who', { hasText: 'Alice Liddell' }).or(b.page.locator(`a.room[data-room="${dm}"] .room-name`, { hasText: 'Alice Liddell' })).first().waitFor(), 'wherever she is named');
  });
});
