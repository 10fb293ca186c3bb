/**
 * The web client in Chromium, as two people use it: sign in, room list,
 * messages both ways, typing, receipts, retry, search in Chinese, the admin
 * page, keyboard and contrast basics, sign out; with screenshots of the views.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import { contrastOf, focused } from './a11y.js';
import { launchBrowser, newPage, postMessages, signIn, startWorld, tokenFor, type World } from './harness.js';

/** `ROOST_SCREENSHOTS=1 npx tap test/web/chat.test.ts` refreshes docs/screenshots; otherwise they go to a temp folder. */
const shots = process.env.ROOST_SCREENSHOTS ? new URL('../../docs/screenshots/', import.meta.url).pathname : mkdtempSync(join(tmpdir(), 'roost-shots-'));
mkdirSync(shots, { recursive: true });

const CHINESE = '我们明天讨论历史聊天记录的备份方案';
const TRICKY = 'Docs at https://example.com/a_(b). Not markup: <b>bold</b> <img src=x onerror=alert(1)>';

let world: World;
let browser: Browser;
const problems: string[] = [];

/** Console errors, page errors and CSP refusals fail the suite: the client must run clean under its CSP. */
function watch(page: Page, who: string): void {
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) problems.push(`${who} console: ${m.text()}`);
  });
}

t.before(async () => {
  world = await startWorld({
    people: [{ name: 'alice' }, { name: 'bob' }, { name: 'root', role: 'admin' }],
    rooms: { general: ['alice', 'bob', 'root'], random: ['alice', 'bob', 'root'] },
    dms: [['alice', 'bob']],
  });
  const bobToken = await tokenFor(world.server.http, world.people.bob!);
  await postMessages(world.server.http, bobToken, world.rooms.general!, ['Morning all!', CHINESE, TRICKY], 1);
  const rootToken = await tokenFor(world.server.http, world.people.root!);
  await postMessages(world.server.http, rootToken, world.rooms.random!, ['Lunch at noon?'], 1);
  browser = await launchBrowser();
});

t.teardown(async () => {
  await browser?.close();
  await world?.close();
  if (!process.env.ROOST_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
});

t.test('two people chat: list, history, messages both ways, typing, receipts, retry, search', async (t) => {
  const http = world.server.http;
  const a = await newPage(browser);
  const b = await newPage(browser);
  watch(a.page, 'alice');
  watch(b.page, 'bob');
  t.teardown(async () => { await a.context.close(); await b.context.close(); });

  // Alice's socket goes through a relay that fails her first "retry-me" send without passing it on
  // (an internal error: one the client cannot retry by itself, unlike a busy server's unavailable).
  const sentIds: string[] = [];
  await a.page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    const server = ws.connectToServer();
    let failedOnce = false;
    ws.onMessage((raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; id?: string; body?: string; clientMsgId?: string };
      if (frame.type === 'send' && frame.body?.includes('retry-me')) {
        sentIds.push(frame.clientMsgId ?? '');
        if (!failedOnce) {
          failedOnce = true;
          ws.send(JSON.stringify({ type: 'error', id: frame.id, code: 'internal', message: 'relay dropped it' }));
          return;
        }
      }
      server.send(raw);
    });
  });

  await signIn(a.page, http, world.people.alice!);
  const general = a.page.locator(`a.room[data-room="${world.rooms.general}"]`);
  await t.resolves(general.locator('.badge', { hasText: '3' }).waitFor(), 'general shows 3 unread');
  await t.resolves(general.locator('.room-preview', { hasText: 'bob: Docs at' }).waitFor(), 'the preview is the last message, with its sender');
  t.equal(await a.page.locator(`a.room[data-room="${world.rooms['alice&bob']}"] .room-name`).textContent(), 'bob', 'a direct room is named after the other person');
  t.equal(await a.page.locator('.account a[href="#/admin"]').count(), 0, 'no admin link for a member');

  await general.click();
  await a.page.locator('.divider', { hasText: 'New messages' }).waitFor();
  const bobGroup = a.page.locator('.group:not(.mine)').filter({ has: a.page.locator('.who', { hasText: 'bob' }) });
  t.equal(await bobGroup.locator('.msg').count(), 3, 'three messages from bob form one group under one name');
  const tricky = a.page.locator('.msg .body', { hasText: 'Not markup' });
  t.match(await tricky.textContent(), '<b>bold</b> <img src=x onerror=alert(1)>', 'markup in a message is shown as text');
  t.equal(await tricky.locator('b, img').count(), 0, 'and never becomes elements');
  const link = tricky.locator('a');
  t.equal(await link.getAttribute('href'), 'https://example.com/a_(b)', 'a URL is a link, trailing punctuation left out');
  t.equal(await link.getAttribute('target'), '_blank');
  t.match(await link.getAttribute('rel'), /noopener/);
  await t.resolves(general.locator('.badge').waitFor({ state: 'detached' }), 'opening the room clears its unread count');
  await a.page.screenshot({ path: join(shots, 'desktop-light-conversation.png') });

  await signIn(b.page, http, world.people.bob!);
  await b.page.locator(`a.room[data-room="${world.rooms.general}"]`).click();
  await b.page.locator('#composer-input').waitFor();

  // Typing shows on the other side; Enter sends.
  await a.page.locator('#composer-input').click();
  await a.page.keyboard.type('Hi bob, ', { delay: 10 });
  await t.resolves(b.page.locator('.typing', { hasText: 'alice is typing…' }).waitFor(), 'bob sees alice typing');
  await a.page.keyboard.type('how are you?');
  await a.page.keyboard.press('Enter');
  await t.resolves(b.page.locator('.group:not(.mine) .body', { hasText: 'Hi bob, how are you?' }).waitFor(), 'bob gets alice\'s message');
  await t.resolves(a.page.locator('.group.mine .body', { hasText: 'Hi bob, how are you?' }).waitFor(), 'alice sees it as her own');
  t.equal(await a.page.locator('#composer-input').inputValue(), '', 'the input is cleared after sending');
  await t.resolves(b.page.locator('.typing:empty').waitFor(), 'the typing line clears when the message arrives');

  // Bob has the room open at the bottom, so his read marker moves and alice sees it.
  await t.resolves(a.page.locator('.group.mine .msg').last().locator('.seen', { hasText: 'Seen by bob' }).waitFor(), 'alice sees "Seen by bob"');

  // Shift+Enter breaks the line; Enter sends both lines as one message.
  await b.page.locator('#composer-input').click();
  await b.page.keyboard.type('line one');
  await b.page.keyboard.press('Shift+Enter');
  await b.page.keyboard.type('line two');
  await b.page.keyboard.press('Enter');
  const twoLines = a.page.locator('.msg .body', { hasText: 'line one' });
  await twoLines.waitFor();
  t.equal(await twoLines.textContent(), 'line one\nline two', 'one message, two lines');

  // A live message in another room updates alice's list.
  const random = a.page.locator(`a.room[data-room="${world.rooms.random}"]`);
  await postMessages(http, await tokenFor(http, world.people.root!), world.rooms.random!, ['Pizza it is'], 1);
  await t.resolves(random.locator('.room-preview', { hasText: 'root: Pizza it is' }).waitFor(), 'the preview updates live');
  t.equal(await random.locator('.badge').textContent(), '2', 'and the unread count with it');

  // A failed send is retried with the same clientMsgId and shows once.
  await a.page.locator('#composer-input').fill('please retry-me');
  await a.page.keyboard.press('Enter');
  const failed = a.page.locator('.pending.failed');
  await t.resolves(failed.waitFor(), 'the failed send is marked');
  t.match(await failed.textContent(), /Not sent: relay dropped it/);
  await failed.getByRole('button', { name: 'Retry' }).click();
  await t.resolves(a.page.locator('.group.mine .msg:not(.pending) .body', { hasText: 'please retry-me' }).waitFor(), 'the retry is acked');
  t.equal(await a.page.locator('.pending').count(), 0, 'nothing left pending');
  t.equal(sentIds.length, 2, 'sent twice');
  t.equal(sentIds[0], sentIds[1], 'with the same clientMsgId both times');
  await b.page.locator('.body', { hasText: 'please retry-me' }).waitFor();
  t.equal(await b.page.locator('.body', { hasText: 'please retry-me' }).count(), 1, 'bob gets it once');

  // Opening a room takes the cursor to its message box, but never from a field the user is typing in.
  const focusAfterOpen = await a.page.evaluate(async (room) => {
    document.getElementById('search-input')?.focus();
    location.hash = `#/room/${room}`;
    await new Promise((r) => setTimeout(r, 300));
    return document.activeElement?.id;
  }, world.rooms.random!);
  t.equal(focusAfterOpen, 'search-input', 'the search box keeps the cursor while the room opens');

  // Search finds a two-character Chinese word inside a longer run; the hit opens the room there.
  await random.click();
  await a.page.locator('#search-input').fill('记录');
  await a.page.locator('#search-input').press('Enter');
  const hit = a.page.locator('a.hit').first();
  await t.resolves(hit.waitFor(), 'search returns a hit');
  t.equal(await hit.locator('mark').first().textContent(), '记录', 'the word is highlighted in the snippet');
  t.match(await hit.textContent(), '历史聊天记录', 'inside its context');
  t.equal(await hit.locator('.hit-room').textContent(), 'general', 'with the room it was said in');
  await a.page.screenshot({ path: join(shots, 'desktop-light-search.png') });
  await hit.click();
  const target = a.page.locator('.msg.target');
  await t.resolves(target.waitFor(), 'the room opens at the message');
  t.match(await target.textContent(), CHINESE);
  t.ok(await target.isVisible(), 'and it is in view');
  t.equal(await a.page.locator('#room-title').textContent(), 'general');
  await a.page.locator('.search .link-button', { hasText: 'Close search' }).click();

  // Keyboard: from the search box, Tab walks the rooms, the room's header (members, settings), then the conversation, then the composer.
  await a.page.locator('#search-input').focus();
  const order: string[] = [];
  for (let i = 0; i < 14; i++) {
    await a.page.keyboard.press('Tab');
    order.push(await focused(a.page));
  }
  t.same(order.slice(0, 3), ['a.room', 'a.room', 'a.room'], 'the three rooms come first');
  t.same(order.slice(3, 7), ['summary.conv-sub', 'button.secondary', '#notify-level', 'button.secondary'], 'then the room header: members, mute, notification level, room settings');
  t.equal(order[7], 'div.messages', 'then the message log (its links follow it)');
  t.ok(order.indexOf('#composer-input') > 7, 'then the message input');
  await a.page.locator('a.room').first().focus();
  t.not(await a.page.locator('a.room').first().evaluate((e) => getComputedStyle(e).outlineStyle), 'none', 'focus is visible');

  // Contrast of the main text pairs (WCAG AA: 4.5:1) in both colour schemes, with an unread badge showing.
  await a.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await postMessages(http, await tokenFor(http, world.people.bob!), world.rooms['alice&bob']!, ['Are you free later?'], 1);
  await a.page.locator('.badge').first().waitFor();
  for (const scheme of ['light', 'dark'] as const) {
    await a.page.emulateMedia({ colorScheme: scheme });
    const results = await contrastOf(a.page, {
      'body text': '#room-title',
      'muted text': '.conv-sub',
      'room preview': '.room-preview',
      'their bubble': '.group:not(.mine) .body',
      'own bubble': '.group.mine .body',
      link: '.group:not(.mine) .body a',
      'unread badge': '.badge',
      'seen by': '.seen',
      'connection state': '.conn-text',
    });
    for (const r of results) t.ok(r.ratio >= 4.5, `${scheme}: ${r.what} contrast ${r.ratio}:1 ≥ 4.5:1`);
    await a.page.screenshot({ path: join(shots, `desktop-${scheme}-conversation.png`) });
  }
  await a.page.emulateMedia({ colorScheme: 'light' });
  t.same(problems, [], 'no console errors, page errors or CSP violations');
});

t.test('at phone width one pane shows at a time and nothing overflows sideways', async (t) => {
  for (const dark of [false, true]) {
    const { context, page } = await newPage(browser, { width: 360, height: 740, dark });
    watch(page, 'phone');
    await signIn(page, world.server.http, world.people.bob!);
    const scheme = dark ? 'dark' : 'light';
    t.ok(await page.locator('.sidebar').isVisible(), `${scheme}: the room list fills the screen`);
    t.notOk(await page.locator('.main').isVisible(), `${scheme}: the conversation pane is hidden`);
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), `${scheme}: no sideways scrolling`);
    await page.screenshot({ path: join(shots, `phone-${scheme}-rooms.png`) });
    await page.locator(`a.room[data-room="${world.rooms.general}"]`).click();
    await page.locator('.msg').first().waitFor();
    t.notOk(await page.locator('.sidebar').isVisible(), `${scheme}: the open room takes the screen`);
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), `${scheme}: still no sideways scrolling`);
    await page.mouse.move(0, 0); // no hover: the message action bar would cover a message in the picture
    await page.screenshot({ path: join(shots, `phone-${scheme}-conversation.png`) });
    await page.getByRole('link', { name: 'Back to rooms' }).click();
    await t.resolves(page.locator('.sidebar').waitFor({ state: 'visible' }), `${scheme}: back returns to the list`);
    await context.close();
  }
  t.same(problems, [], 'no console errors, page errors or CSP violations');
});

t.test('the interface speaks Chinese to a Chinese browser', async (t) => {
  const { context, page } = await newPage(browser, { locale: 'zh-CN' });
  await page.goto(`${world.server.http}/`);
  t.equal(await page.locator('#login-title').textContent(), '登录 Roost');
  t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await page.screenshot({ path: join(shots, 'desktop-light-login-zh.png') });
  // The login form works from the keyboard alone, in order.
  t.equal(await focused(page), '#login-user', 'the cursor starts in the user name');
  await page.keyboard.type('bob');
  await page.keyboard.press('Tab');
  t.equal(await focused(page), '#login-password', 'Tab moves to the password');
  await page.keyboard.type('wrong password');
  await page.keyboard.press('Tab');
  t.equal(await focused(page), 'button.primary', 'then to the sign-in button');
  await page.keyboard.press('Enter');
  t.equal(await page.locator('[role="alert"]').textContent(), '用户名或密码错误。', 'a refused login says so, in Chinese');
  await context.close();
});

t.test('an admin sees users, rooms with members and the server health; sign-out revokes the token', async (t) => {
  const { context, page } = await newPage(browser, { width: 1200, height: 800 });
  watch(page, 'admin');
  await signIn(page, world.server.http, world.people.root!);
  await page.locator('.account a', { hasText: 'Admin' }).click();
  await page.locator('.stats').waitFor();
  t.equal(await page.locator('.stats dd.ok').textContent(), 'Healthy');
  const users = await page.locator('.admin-body table').first().locator('tbody tr td:first-child').allTextContents();
  t.same(users, ['alice', 'bob', 'root'], 'every user is listed');
  const general = page.locator('.admin-body table').nth(1).locator('tr', { hasText: 'general' });
  t.match(await general.textContent(), /alice, bob, root/, 'rooms list their members by name');
  await page.screenshot({ path: join(shots, 'desktop-light-admin.png') });

  const token = await page.evaluate(() => (JSON.parse(localStorage.getItem('roost.session') ?? '{}') as { token?: string }).token);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#login-title').waitFor();
  t.equal(await page.evaluate(() => localStorage.getItem('roost.session')), null, 'the token is gone from the browser');
  let status = 0;
  // The revocation is a write on the server; a loaded box takes longer, so the deadline only catches a hang.
  for (const until = Date.now() + 15_000; Date.now() < until && status !== 401;) {
    status = (await fetch(`${world.server.http}/api/v1/rooms`, { headers: { Authorization: `Bearer ${token}` } })).status;
    if (status !== 401) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(status, 401, 'and revoked on the server');
  await context.close();
  t.same(problems, [], 'no console errors, page errors or CSP violations');
});
