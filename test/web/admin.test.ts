/**
 * The admin page and invitation links in Chromium: a newcomer opens a link
 * on a phone-sized screen, makes an account and lands in the link's room;
 * an admin adds a user (the password shown once), disables them, and makes
 * a link whose QR code is shown; resets a password, enables, changes roles,
 * makes a room and adds and removes its members, every action audited.
 */
import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import { openReadOnly, openWritable } from '../../src/store/db/database.js';
import { listAudit, type AuditEntry } from '../../src/store/history/audit.js';
import { launchBrowser, newPage, signIn, startWorld, tokenFor, type World } from './harness.js';

let world: World;
let browser: Browser;
const problems: string[] = [];

function watch(page: Page, who: string): void {
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => {
    // 403 from checking a spent link is expected; the browser logs every failed fetch.
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) problems.push(`${who} console: ${m.text()}`);
  });
}

t.before(async () => {
  world = await startWorld({ people: [{ name: 'root', role: 'admin' }, { name: 'alice' }], rooms: { general: ['root', 'alice'], garden: ['root'] } });
  browser = await launchBrowser();
});

t.teardown(async () => {
  await browser?.close();
  await world?.close();
});

const login = async (name: string, password: string): Promise<number> =>
  (await fetch(`${world.server.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: name, password }) })).status;

/** The admin page as root sees it on a desktop screen, confirmations accepted. */
async function adminPage(t: { teardown: (fn: () => Promise<void>) => void }): Promise<Page> {
  const { context, page } = await newPage(browser, { width: 1200, height: 800 });
  watch(page, 'admin');
  t.teardown(() => context.close());
  page.on('dialog', (d) => void d.accept());
  await signIn(page, world.server.http, world.people.root!);
  await page.goto(`${world.server.http}/#/admin`);
  await page.locator('.stats').waitFor();
  return page;
}

t.test('an invitation link on a phone: register, land in the chat in the link\'s room; the spent link says so', async (t) => {
  const http = world.server.http;
  const rootToken = await tokenFor(http, world.people.root!);
  const res = await fetch(`${http}/api/v1/admin/invite-links`, {
    method: 'POST', headers: { Authorization: `Bearer ${rootToken}` }, body: JSON.stringify({ expiresInHours: 24, maxUses: 1, rooms: [world.rooms.garden] }),
  });
  const link = (await res.json()) as { url: string };
  t.equal(res.status, 201);

  const { context, page } = await newPage(browser, { width: 360, height: 740 });
  watch(page, 'newcomer');
  t.teardown(() => context.close());
  await page.goto(link.url);
  await page.getByText('You are invited to: garden').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  t.ok(width <= 360, `the join page fits a 360 px screen (scroll width ${width})`);
  await page.getByLabel('User name').fill('nina');
  await page.getByLabel('Display name (optional)').fill('Nina N.');
  await page.getByLabel('Choose a password').fill('marble-otter-4471');
  await page.getByRole('button', { name: 'Create account' }).click();
  // On a phone the open room hides the sidebar, where the connection badge is.
  await page.locator('.conn[data-state="online"]').waitFor({ state: 'attached' });
  await page.locator('#room-title', { hasText: 'garden' }).waitFor();
  t.equal(new URL(page.url()).pathname, '/', 'the link\'s token left the address bar');
  t.equal(new URL(page.url()).hash, `#/room/${world.rooms.garden}`);
  const session = await page.evaluate(() => JSON.parse(localStorage.getItem('roost.session') ?? '{}') as { user?: { name?: string } });
  t.equal(session.user?.name, 'nina', 'the session is stored as a login stores it');
  t.equal(await login('nina', 'marble-otter-4471'), 200);

  const again = await newPage(browser, { width: 360, height: 740 });
  t.teardown(() => again.context.close());
  await again.page.goto(link.url);
  await again.page.getByRole('heading', { name: 'This invitation link no longer works' }).waitFor();
  t.equal(await again.page.locator('form').count(), 0, 'no form on a spent link');
  t.same(problems, []);
});

t.test('an expired invitation link opened on a phone says so, with no form and no stack trace', async (t) => {
  const http = world.server.http;
  const rootToken = await tokenFor(http, world.people.root!);
  const res = await fetch(`${http}/api/v1/admin/invite-links`, {
    method: 'POST', headers: { Authorization: `Bearer ${rootToken}` }, body: JSON.stringify({ expiresInHours: 1, maxUses: 5, rooms: [world.rooms.garden], note: 'to expire' }),
  });
  const link = (await res.json()) as { url: string };
  // The clock of this test is the database's: the link's hour is over.
  const db = openWritable(world.server.dataDir);
  try {
    t.equal(db.prepare("UPDATE invite_links SET expires_at = ? WHERE note = 'to expire'").run(Date.now() - 1).changes, 1);
  } finally {
    db.close();
  }
  const { context, page } = await newPage(browser, { width: 360, height: 740 });
  t.teardown(() => context.close());
  await page.goto(link.url);
  await page.getByRole('heading', { name: 'This invitation link no longer works' }).waitFor();
  t.equal(await page.locator('form').count(), 0, 'no form on an expired link');
  t.notMatch(await page.locator('body').innerText(), /Error|at \w+ \(|stack/i, 'no error text or stack trace');
});

t.test('the admin page: add a user (password shown once), disable them, make a link with a QR code', async (t) => {
  const page = await adminPage(t);

  await page.getByLabel('New user name').fill('frank');
  await page.getByRole('button', { name: 'Add user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Password for frank' });
  await dialog.waitFor();
  const password = (await dialog.locator('code').textContent()) ?? '';
  t.match(password, /^[A-Za-z0-9]{20}$/);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  t.notOk((await page.content()).includes(password), 'once closed, the password is nowhere on the page');
  t.equal(await login('frank', password), 200, 'the shown password works');

  const row = page.locator('tr[data-user="frank"]');
  await row.getByRole('button', { name: 'Disable' }).click();
  await row.getByRole('button', { name: 'Enable' }).waitFor();
  t.match(await row.textContent(), /Disabled/);
  t.equal(await login('frank', password), 401, 'a disabled user cannot sign in');

  await page.getByRole('checkbox', { name: 'general' }).check();
  await page.getByLabel('Note (whom it is for)').fill('for the neighbours');
  await page.getByRole('button', { name: 'Create link' }).click();
  const made = page.getByRole('dialog', { name: 'Invitation link' });
  await made.waitFor();
  t.equal(await made.getByRole('img', { name: 'QR code of the invitation link' }).count(), 1, 'a QR code of the link');
  t.match(await made.locator('input').inputValue(), new RegExp(`^${world.server.http}/join/[A-Za-z0-9_-]{32}$`));
  await made.getByRole('button', { name: 'Done' }).click();
  const listed = page.locator('tr', { hasText: 'for the neighbours' });
  await listed.waitFor();
  await listed.getByRole('button', { name: 'Revoke' }).click();
  await listed.getByText('revoked').waitFor();
  t.same(problems, [], 'no console errors, page errors or CSP violations');
});

t.test('the admin page: reset a password, enable, make and unmake admin, create a room, add and remove a member; each audited as the CLI audits it', async (t) => {
  const page = await adminPage(t);
  const auditBefore = audit().length;

  const alice = page.locator('tr[data-user="alice"]');
  await alice.getByRole('button', { name: 'Reset password' }).click();
  const shown = page.getByRole('dialog', { name: 'Password for alice' });
  await shown.waitFor();
  const password = (await shown.locator('code').textContent()) ?? '';
  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.waitFor({ state: 'detached' });
  t.equal(await login('alice', password), 200, 'the new password works');
  t.equal(await login('alice', world.people.alice!.password), 401, 'the old one no longer does');

  await alice.getByRole('button', { name: 'Make admin' }).click();
  await alice.getByRole('button', { name: 'Make member' }).waitFor();
  t.match(await alice.textContent(), /admin/);
  await alice.getByRole('button', { name: 'Make member' }).click();
  await alice.getByRole('button', { name: 'Make admin' }).waitFor();
  await alice.getByRole('button', { name: 'Disable' }).click();
  await alice.getByRole('button', { name: 'Enable' }).click();
  await alice.getByRole('button', { name: 'Disable' }).waitFor();
  t.equal(await login('alice', password), 200, 'enabled again, alice signs in');

  await page.getByLabel('Room name').fill('workshop');
  await page.getByRole('button', { name: 'Create room' }).click();
  const workshop = page.locator('tr[data-room="workshop"]');
  await workshop.waitFor();
  await workshop.getByLabel('Add to workshop: choose a user').selectOption('alice');
  await workshop.getByRole('button', { name: 'Add member' }).click();
  await workshop.locator('p', { hasText: 'alice' }).waitFor();
  await workshop.getByLabel('Remove from workshop: choose a member').selectOption('alice');
  await workshop.getByRole('button', { name: 'Remove member' }).click();
  await workshop.locator('p', { hasText: 'alice' }).waitFor({ state: 'detached' });

  const entries = audit().slice(auditBefore);
  t.same(entries.map((e) => [e.action, e.actor, e.actorName]), [
    ['user.passwd', 'api', 'root'], ['user.role', 'api', 'root'], ['user.role', 'api', 'root'], ['user.disable', 'api', 'root'],
    ['user.enable', 'api', 'root'], ['room.create', 'api', 'root'], ['room.add', 'api', 'root'], ['room.remove', 'api', 'root'],
  ], 'every action is in the audit log, the signed-in admin as its actor');
  t.match(entries[1]?.details, { user: 'alice', role: 'admin' });
  t.match(entries[2]?.details, { user: 'alice', role: 'member' });
  t.match(entries[6]?.details, { room: 'workshop', user: 'alice' });
  t.same(problems, [], 'no console errors, page errors or CSP violations');
});

/** The audit log as the CLI's `roost audit` reads it. */
function audit(): AuditEntry[] {
  const db = openReadOnly(world.server.dataDir);
  try {
    return listAudit(db, 0);
  } finally {
    db.close();
  }
}
