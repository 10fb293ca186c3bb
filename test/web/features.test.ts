/**
 * The v1 additions in Chromium, as two people use them: replies, edits,
 * deletions, reactions both ways, an image and a file (and one too large),
 * @-mentions, mute, presence dots, and an edit made while one of them was
 * disconnected, applied after the reconnect.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser, newPage, signIn, startWorld } from './harness.js';

const shots = process.env.ROOST_SCREENSHOTS ? new URL('../../docs/screenshots/', import.meta.url).pathname : mkdtempSync(join(tmpdir(), 'roost-shots-'));
mkdirSync(shots, { recursive: true });
const MAX_UPLOAD = 300_000;

/** Console errors, page errors and CSP refusals (an image the CSP blocked, say) fail the test. */
function watch(page: Page, who: string, problems: string[]): void {
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => {
    // "already in CLOSING or CLOSED state": Playwright's routed socket, closed by the relay below, reports its own state late.
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection|already in CLOSING or CLOSED/.test(m.text())) problems.push(`${who} console: ${m.text()}`);
  });
}

t.test('two people reply, edit, delete, react, share files, mention, mute, see presence, and catch up on an edit after a reconnect', async (t) => {
  // A small upload limit, so a 413 is cheap to provoke.
  const configDir = mkdtempSync(join(tmpdir(), 'roost-web-config-'));
  const configFile = join(configDir, 'roost.json');
  writeFileSync(configFile, JSON.stringify({ maxUploadBytes: MAX_UPLOAD }));
  const previousConfig = process.env.ROOST_CONFIG;
  process.env.ROOST_CONFIG = configFile;
  const world = await startWorld({
    people: [{ name: 'alice' }, { name: 'bob' }],
    rooms: { general: ['alice', 'bob'], random: ['alice', 'bob'] },
    dms: [['alice', 'bob']],
  });
  if (previousConfig === undefined) delete process.env.ROOST_CONFIG;
  else process.env.ROOST_CONFIG = previousConfig;
  t.teardown(async () => {
    await world.close();
    rmSync(configDir, { recursive: true, force: true });
    if (!process.env.ROOST_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
  });
  const http = world.server.http;
  const general = world.rooms.general!;
  const random = world.rooms.random!;
  const dm = world.rooms['alice&bob']!;
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const problems: string[] = [];
  const a = await newPage(browser);
  const b = await newPage(browser);
  watch(a.page, 'alice', problems);
  watch(b.page, 'bob', problems);

  // Bob's socket runs through a relay that can cut him off (and refuse him) while alice edits.
  let bobBlocked = false;
  let cutBob: () => void = () => undefined;
  const toBob: string[] = [];
  await b.page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    if (bobBlocked) return void ws.close({ code: 1001, reason: 'cut off by the test' });
    const server = ws.connectToServer();
    server.onMessage((raw) => {
      toBob.push(String(raw));
      ws.send(raw);
    });
    cutBob = () => {
      ws.close({ code: 1001, reason: 'cut off by the test' });
      server.close();
    };
  });

  // Presence: alice is there first; bob comes online and his dot in her list turns green.
  await signIn(a.page, http, world.people.alice!);
  const dmDot = a.page.locator(`a.room[data-room="${dm}"] .presence`);
  await t.resolves(a.page.locator(`a.room[data-room="${dm}"] .presence[data-presence="offline"]`).waitFor(), 'bob shows offline before he signs in');
  await signIn(b.page, http, world.people.bob!);
  await t.resolves(a.page.locator(`a.room[data-room="${dm}"] .presence[data-presence="online"]`).waitFor(), 'and online once he has');
  for (const p of [a.page, b.page]) {
    await p.locator(`a.room[data-room="${general}"]`).click();
    await p.locator('#composer-input').waitFor();
  }

  // Who is here: the members line of a group room opens into its members, with presence.
  const roster = a.page.locator('details.roster');
  await t.resolves(roster.locator('summary', { hasText: '2 members · 2 online' }).waitFor(), 'the members line counts who is online');
  await roster.locator('summary').click();
  const bobRow = roster.locator(`li[data-user="${world.people.bob!.id}"]`);
  await t.resolves(bobRow.locator('.presence[data-presence="online"]').waitFor(), 'and opens into the members, bob shown online');
  t.equal(await bobRow.textContent(), 'bob', 'by name');
  await roster.locator('summary').click();

  await a.page.locator('#composer-input').fill('plan for friday');
  await a.page.keyboard.press('Enter');
  const bobSeesPlan = b.page.locator('.msg', { has: b.page.locator('.body', { hasText: /^plan for friday/ }) });
  await bobSeesPlan.waitFor();

  // Reply: bob's message carries a quote of alice's; choosing the quote goes to the original.
  await bobSeesPlan.hover();
  await bobSeesPlan.getByRole('button', { name: 'Reply' }).click();
  await t.resolves(b.page.locator('.replying', { hasText: 'Replying to alice' }).waitFor(), 'the composer shows whom bob replies to');
  await b.page.locator('#composer-input').fill('sounds good');
  await b.page.keyboard.press('Enter');
  const reply = a.page.locator('.msg', { has: a.page.locator('.body', { hasText: 'sounds good' }) });
  await t.resolves(reply.locator('.reply-quote', { hasText: 'plan for friday' }).waitFor(), 'alice sees the reply with the quoted message above it');
  t.equal(await b.page.locator('.replying').count(), 0, 'the reply preview closes after sending');
  await reply.locator('.reply-quote').click();
  await t.resolves(a.page.locator('.msg.target', { hasText: 'plan for friday' }).waitFor(), 'choosing the quote highlights the original');

  // Edit: Escape cancels, Enter saves; bob sees the new text live, marked edited.
  const alicePlan = a.page.locator('.group.mine .msg', { hasText: 'plan for' }).first();
  await alicePlan.hover();
  await alicePlan.getByRole('button', { name: 'Edit' }).click();
  const editor = a.page.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('never mind');
  await editor.press('Escape');
  t.equal(await a.page.locator('.edit-input').count(), 0, 'Escape closes the editor');
  t.equal(await alicePlan.locator('.body').textContent(), 'plan for friday', 'and keeps the text');
  await alicePlan.hover();
  // What is typed the moment the editor opens must replace nothing and land after the text:
  // focus and caret are set in the same task that puts the editor on screen, not a frame later.
  const readyAtOnce = await alicePlan.getByRole('button', { name: 'Edit' }).evaluate(async (button) => {
    (button as HTMLElement).click();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    const el = document.activeElement;
    return el instanceof HTMLTextAreaElement && el.classList.contains('edit-input') && el.selectionStart === el.value.length;
  });
  t.ok(readyAtOnce, 'the editor has focus with the caret after the text as soon as it appears');
  await editor.fill('plan for saturday');
  await editor.press('Enter');
  await t.resolves(b.page.locator('.body', { hasText: 'plan for saturday' }).locator('.edited').waitFor(), 'bob sees the edit live, marked edited');
  t.same(await b.page.locator('.body', { hasText: 'plan for friday' }).allTextContents(), [], 'the old text is gone on his side');

  // Reactions both ways: bob reacts, alice sees the chip; alice adds hers; both see 2 and their own highlighted.
  const planSeq = await b.page.locator('.msg', { has: b.page.locator('.body', { hasText: 'plan for saturday' }) }).getAttribute('data-seq');
  const bobPlan = b.page.locator(`.msg[data-seq="${planSeq}"]`);
  await bobPlan.hover();
  await bobPlan.getByRole('button', { name: 'React', exact: true }).click();
  await bobPlan.getByRole('button', { name: 'React with 👍' }).click();
  const aliceChip = alicePlan.locator('.chip', { hasText: '👍' });
  await t.resolves(alicePlan.locator('.chip:not(.me)', { hasText: '👍 1' }).waitFor(), 'alice sees bob\'s 👍 live');
  await aliceChip.click();
  await t.resolves(alicePlan.locator('.chip.me[aria-pressed="true"]', { hasText: '👍 2' }).waitFor(), 'alice\'s click adds hers: 2, hers highlighted');
  await t.resolves(bobPlan.locator('.chip.me', { hasText: '👍 2' }).waitFor(), 'bob sees 2 live');
  await aliceChip.click();
  await t.resolves(bobPlan.locator('.chip', { hasText: '👍 1' }).waitFor(), 'alice takes hers back and bob sees 1');

  // Delete with a confirmation: bob sees a tombstone where the message was.
  await a.page.locator('#composer-input').fill('oops wrong room');
  await a.page.keyboard.press('Enter');
  const oops = a.page.locator('.group.mine .msg:not(.pending)', { hasText: 'oops wrong room' });
  await b.page.locator('.body', { hasText: 'oops wrong room' }).waitFor();
  await oops.hover();
  await oops.getByRole('button', { name: 'Delete' }).click();
  await t.resolves(oops.locator('.confirm-text', { hasText: 'Delete this message?' }).waitFor(), 'deleting asks first');
  await oops.locator('.act.danger').click();
  await t.resolves(b.page.locator('.msg.deleted .tombstone', { hasText: 'Message deleted' }).waitFor(), 'bob sees a tombstone');
  t.equal(await b.page.locator('.body', { hasText: 'oops wrong room' }).count(), 0, 'and not the text');
  t.equal(await bobPlan.getByRole('button', { name: 'Delete' }).count(), 0, 'bob is offered no delete on alice\'s message');

  // Files: an image shows as a thumbnail on bob's side, a text file as a link with its size, a too-large one is refused clearly.
  // A sky-to-field gradient, so the screenshot shows a picture rather than a block.
  const pixels = Buffer.alloc(640 * 400 * 3);
  for (let y = 0; y < 400; y++) {
    for (let x = 0; x < 640; x++) pixels.set(y < 240 ? [90 + y / 3, 150 + y / 4, 235] : [40 + x / 16, 120 + (y - 240) / 3, 60], (y * 640 + x) * 3);
  }
  const png = await sharp(pixels, { raw: { width: 640, height: 400, channels: 3 } }).png().toBuffer();
  const picker = a.page.locator('.composer input[type=file]');
  await picker.setInputFiles([{ name: 'field.png', mimeType: 'image/png', buffer: png }, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('bring boots\n') }]);
  await t.resolves(a.page.locator('.staged li.done').nth(1).waitFor(), 'both uploads finish');
  // Bob's first thumbnail link is spoiled on its way in, as one that expired while the page sat
  // open would be: the server refuses it, and the client must ask for a fresh link once.
  let linkAnswers = 0;
  let spoiled = false;
  await b.page.route('**/api/v1/files/links', async (route) => {
    linkAnswers++;
    const res = await route.fetch();
    const text = await res.text();
    if (spoiled || !text.includes('thumbUrl')) return route.fulfill({ response: res, body: text });
    spoiled = true;
    await route.fulfill({ response: res, body: text.replace(/(\/thumbnail\?cap=)[^"]+/g, '$1999.1.spoiled') });
  });
  await a.page.locator('#composer-input').fill('photos from the field');
  await a.page.keyboard.press('Enter');
  const bobImage = b.page.locator('.msg .image img[alt="Image field.png"]');
  await t.resolves(bobImage.waitFor(), 'bob gets the image');
  await t.resolves(b.page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('.msg .image img');
    return img !== null && img.complete && img.naturalWidth > 0;
  }, undefined, { timeout: 10_000 }), 'and the thumbnail loads (allowed by the CSP), after one refused link');
  t.ok(spoiled, 'the first thumbnail link was a refused one');
  t.ok(linkAnswers >= 2, 'so the client asked for a fresh link');
  await b.page.unroute('**/api/v1/files/links');
  t.match(await bobImage.getAttribute('src'), /^\/api\/v1\/files\/[^/]+\/thumbnail\?cap=\d+\.\d+\.[\w-]+$/, 'shown from its thumbnail, by a file link');
  // No URL the page shows or fetched (the socket aside, which needs it) carries bob's session token.
  const bobToken = await b.page.evaluate(() => (JSON.parse(localStorage.getItem('roost.session') ?? '{}') as { token?: string }).token ?? '');
  t.ok(bobToken.length > 20, 'bob is signed in with a token');
  const urls = await b.page.evaluate(() => [
    ...Array.from(document.querySelectorAll('img[src]')).map((e) => e.getAttribute('src') ?? ''),
    ...Array.from(document.querySelectorAll('a[href]')).map((e) => e.getAttribute('href') ?? ''),
    ...performance.getEntriesByType('resource').map((e) => e.name).filter((u) => !u.includes('/ws?')),
  ]);
  t.ok(urls.filter((u) => u.includes('/api/v1/files/')).length >= 3, 'the image, its link and the text file\'s link are among them');
  t.same(urls.filter((u) => u.includes(bobToken) || u.includes(encodeURIComponent(bobToken))), [], 'none carries the session token');
  const notesHref = await b.page.locator('.msg .file', { hasText: 'notes.txt' }).getAttribute('href');
  const notes = await fetch(`${http}${notesHref ?? ''}`);
  t.equal(await notes.text(), 'bring boots\n', 'the download link works on its own, with no token');
  t.equal(await b.page.locator('.msg .file', { hasText: 'notes.txt' }).locator('.file-size').textContent(), '12 B', 'the text file is a link with its size');
  await picker.setInputFiles([{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_UPLOAD + 1000, 7) }]);
  await t.resolves(a.page.locator('.staged li.failed [role=alert]', { hasText: 'huge.bin is too large for this server.' }).waitFor(), 'a file over the limit shows a clear error');
  await a.page.locator('.staged li.failed').getByRole('button', { name: 'Remove huge.bin' }).click();

  // Progress while an upload is under way: alice's link slowed to 100 KB/s (Chromium's network
  // emulation, which throttles uploads to loopback too), so 250 KB take a few seconds.
  const cdp = await a.context.newCDPSession(a.page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 100_000 });
  await picker.setInputFiles([{ name: 'slow.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(250_000, 3) }]);
  const midway = await a.page.waitForFunction(() => {
    const bar = document.querySelector<HTMLProgressElement>('.staged li.uploading progress');
    return bar !== null && bar.value > 0 && bar.value < 1 ? bar.value : null;
  }, undefined, { timeout: 10_000, polling: 50 });
  const fraction = Number(await midway.jsonValue());
  t.ok(fraction > 0 && fraction < 1, `progress is shown part way (${Math.round(fraction * 100)} %)`);
  t.match(await a.page.locator('.staged li.uploading label').textContent(), /slow\.bin.*\d+ ?%/, 'with the file\'s name and a percentage');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await t.resolves(a.page.locator('.staged li.done', { hasText: 'slow.bin' }).waitFor({ timeout: 20_000 }), 'and the upload completes');
  await a.page.getByRole('button', { name: 'Remove slow.bin' }).click();
  await cdp.detach();

  // Dropping a file on the conversation and pasting one into the box stage them like the picker does.
  const dropData = await a.page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped on the room\n'], 'dropped.txt', { type: 'text/plain' }));
    return dt;
  });
  const conversation = a.page.locator('section.conversation');
  await conversation.dispatchEvent('dragover', { dataTransfer: dropData });
  await t.resolves(a.page.locator('section.conversation.dragging').waitFor(), 'dragging files over the conversation highlights it');
  await conversation.dispatchEvent('drop', { dataTransfer: dropData });
  await t.resolves(a.page.locator('.staged li.done', { hasText: 'dropped.txt' }).waitFor(), 'the dropped file uploads');
  t.equal(await a.page.locator('section.conversation.dragging').count(), 0, 'and the highlight is gone');
  const pasted = await a.page.locator('#composer-input').evaluate((box) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['pasted from the clipboard\n'], 'pasted.txt', { type: 'text/plain' }));
    const paste = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
    box.dispatchEvent(paste);
    return paste.defaultPrevented;
  });
  t.ok(pasted, 'pasting a file into the box takes the file instead of pasting text');
  await t.resolves(a.page.locator('.staged li.done', { hasText: 'pasted.txt' }).waitFor(), 'the pasted file uploads');
  await a.page.locator('#composer-input').fill('two more');
  await a.page.keyboard.press('Enter');
  for (const name of ['dropped.txt', 'pasted.txt']) {
    await t.resolves(b.page.locator('.msg .file', { hasText: name }).waitFor(), `bob gets ${name}`);
  }
  t.equal(await a.page.locator('.staged').count(), 0, 'sending clears the staged files');
  // A file staged in one room stays out of another room's composer (the conversation view is reused).
  await picker.setInputFiles([{ name: 'left-behind.txt', mimeType: 'text/plain', buffer: Buffer.from('for general only\n') }]);
  await t.resolves(a.page.locator('.staged li.done', { hasText: 'left-behind.txt' }).waitFor(), 'a file is staged in general');
  await a.page.locator(`a.room[data-room="${random}"]`).click();
  await t.resolves(a.page.locator(`a.room[data-room="${random}"][aria-current=page]`).waitFor(), 'alice opens random');
  t.equal(await a.page.locator('.staged').count(), 0, 'random\'s composer has no staged file');
  await a.page.locator(`a.room[data-room="${general}"]`).click();
  await t.resolves(a.page.locator(`a.room[data-room="${general}"][aria-current=page]`).waitFor(), 'and back to general');

  // Mentions: bob picks alice from the suggestions in another room; alice gets a mentions badge, then the highlight.
  await b.page.locator(`a.room[data-room="${random}"]`).click();
  await b.page.locator('#composer-input').click();
  await b.page.keyboard.type('@al');
  await t.resolves(b.page.getByRole('option', { name: '@alice' }).waitFor(), 'typing @al suggests alice');
  await b.page.keyboard.press('Enter');
  t.equal(await b.page.locator('#composer-input').inputValue(), '@alice ', 'Enter takes the suggestion');
  await b.page.keyboard.type('can you check?');
  await b.page.keyboard.press('Enter');
  const randomRow = a.page.locator(`a.room[data-room="${random}"]`);
  await t.resolves(randomRow.locator('.badge.mentions', { hasText: '@1' }).waitFor(), 'alice\'s room list shows a mention');
  await randomRow.click();
  await t.resolves(a.page.locator('.mentions-me .mention.me', { hasText: '@alice' }).waitFor(), 'her name is highlighted in the message');
  t.equal(await a.page.locator('.mentions-me .body').textContent(), '@alice can you check?', 'the text typed after the suggestion follows it');
  await t.resolves(randomRow.locator('.badge.mentions').waitFor({ state: 'detached' }), 'and the badge clears once read');

  // Mute: pressed, marked in the list, and still so after a reload (the server keeps it).
  await a.page.getByRole('button', { name: 'Mute' }).click();
  await t.resolves(a.page.locator('.mute[aria-pressed="true"]').waitFor(), 'the mute button shows pressed');
  await t.resolves(randomRow.locator('.muted-mark').waitFor(), 'the room list shows the room muted');
  await a.page.reload();
  await a.page.locator('.conn[data-state="online"]').waitFor();
  await t.resolves(a.page.locator('.mute[aria-pressed="true"]', { hasText: 'Unmute' }).waitFor(), 'muted after a reload');
  await a.page.locator('.mute').click();
  await t.resolves(a.page.locator('.mute[aria-pressed="false"]').waitFor(), 'and unmuted again');
  await a.page.locator(`a.room[data-room="${general}"]`).click();
  await b.page.locator(`a.room[data-room="${general}"]`).click();

  // Bob is cut off; alice edits meanwhile; bob's reconnect sync applies it.
  bobBlocked = true;
  cutBob();
  await t.resolves(b.page.locator('.conn:not([data-state="online"])').waitFor(), 'bob is offline');
  await alicePlan.hover();
  await alicePlan.getByRole('button', { name: 'Edit' }).click();
  await editor.fill('plan for sunday');
  await editor.press('Enter');
  await alicePlan.locator('.body', { hasText: 'plan for sunday' }).waitFor();
  t.equal(await b.page.locator('.body', { hasText: 'plan for sunday' }).count(), 0, 'bob has not seen the edit');
  bobBlocked = false;
  await b.page.locator('.conn .link-button').click().catch(() => undefined); // "Retry now", when shown
  await t.resolves(b.page.locator('.conn[data-state="online"]').waitFor({ timeout: 20_000 }), 'bob reconnects');
  await t.resolves(b.page.locator('.body', { hasText: 'plan for sunday' }).waitFor(), 'and sees the edit made while he was away');
  t.ok(toBob.some((f) => f.startsWith('{"type":"synced"') && f.includes('plan for sunday')), 'it came in the sync reply');
  t.equal(await bobPlan.locator('.chip').textContent(), '👍 1', 'the reaction count is not doubled by the sync');

  await b.page.locator('.messages').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await b.page.mouse.move(0, 0);
  await b.page.screenshot({ path: join(shots, 'desktop-light-features.png') });
  await a.page.screenshot({ path: join(shots, 'desktop-light-features-own.png') });

  // Bob closes his page: his dot turns offline for alice.
  await b.context.close();
  await t.resolves(a.page.locator(`a.room[data-room="${dm}"] .presence[data-presence="offline"]`).waitFor(), 'bob goes offline when his page closes');
  t.equal(await dmDot.count(), 1);
  await a.context.close();
  t.same(problems, [], 'no console errors, page errors or CSP violations');
});
