/**
 * The server dies (kill -9) and comes back on the same port and data folder:
 * the client shows it is offline, keeps what the user typed meanwhile, comes
 * back by itself, and catches up through `sync` with what a script sent while
 * it was away. Nothing is shown or stored twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { launchBrowser, newPage, postMessages, signIn, startWorld, tokenFor } from './harness.js';

const shots = process.env.ROOST_SCREENSHOTS ? new URL('../../docs/screenshots/', import.meta.url).pathname : mkdtempSync(join(tmpdir(), 'roost-shots-'));

t.test('after a crash and restart the client reconnects, sends what waited and syncs what it missed', async (t) => {
  const world = await startWorld({
    people: [{ name: 'alice' }, { name: 'bob' }, { name: 'bot' }],
    rooms: { ops: ['alice', 'bob', 'bot'] },
  });
  t.teardown(() => world.close());
  if (!process.env.ROOST_SCREENSHOTS) t.teardown(() => rmSync(shots, { recursive: true, force: true }));
  const http = world.server.http;
  const room = world.rooms.ops!;
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const a = await newPage(browser);
  const b = await newPage(browser);

  // What reaches bob's page, frame by frame, to tell a live message from a synced one.
  const bobFrames: string[] = [];
  b.page.on('websocket', (ws) => ws.on('framereceived', (f) => bobFrames.push(String(f.payload))));

  for (const p of [a, b]) {
    await signIn(p.page, http, world.people[p === a ? 'alice' : 'bob']!);
    await p.page.locator(`a.room[data-room="${room}"]`).click();
    await p.page.locator('#composer-input').waitFor();
  }
  await a.page.locator('#composer-input').fill('before the crash');
  await a.page.keyboard.press('Enter');
  await b.page.locator('.body', { hasText: 'before the crash' }).waitFor();

  await world.server.stop('SIGKILL');
  for (const p of [a, b]) await t.resolves(p.page.locator('.conn[data-state="waiting"]').waitFor({ timeout: 10_000 }), 'the client shows it is offline');
  t.match(await a.page.locator('.conn-text').textContent(), /Offline, retrying in \d+ s/);

  // Typed while the server is down: kept, shown as sending, sent once it is back.
  await a.page.locator('#composer-input').fill('written while offline');
  await a.page.keyboard.press('Enter');
  await t.resolves(a.page.locator('.pending.sending', { hasText: 'written while offline' }).waitFor(), 'a message typed offline waits, marked as sending');
  await a.page.screenshot({ path: join(shots, 'desktop-light-offline.png') });

  // Bob's browser loses its network too, so what the script sends can only reach him through sync.
  await b.context.setOffline(true);
  await world.server.start();
  const botToken = await tokenFor(http, world.people.bot!);
  await postMessages(http, botToken, room, ['sent meanwhile 1', 'sent meanwhile 2', 'sent meanwhile 3'], 1);

  await t.resolves(a.page.locator('.conn[data-state="online"]').waitFor({ timeout: 20_000 }), 'alice reconnects by herself');
  for (let i = 1; i <= 3; i++) await a.page.locator('.body', { hasText: `sent meanwhile ${i}` }).waitFor();
  await t.resolves(a.page.locator('.group.mine .msg:not(.pending) .body', { hasText: 'written while offline' }).waitFor(), 'the waiting message is sent and acked');
  t.equal(await a.page.locator('.pending').count(), 0, 'nothing is left pending');

  await b.context.setOffline(false);
  await t.resolves(b.page.locator('.conn[data-state="online"]').waitFor({ timeout: 20_000 }), 'bob reconnects when his network is back');
  for (let i = 1; i <= 3; i++) await b.page.locator('.body', { hasText: `sent meanwhile ${i}` }).waitFor();
  await b.page.locator('.body', { hasText: 'written while offline' }).waitFor();
  const synced = bobFrames.filter((f) => f.startsWith('{"type":"synced"') && f.includes('sent meanwhile 1'));
  t.equal(synced.length, 1, 'bob got what he missed in a sync reply');

  for (const [who, page] of [['alice', a.page], ['bob', b.page]] as const) {
    for (const body of ['before the crash', 'written while offline', 'sent meanwhile 1', 'sent meanwhile 2', 'sent meanwhile 3']) {
      t.equal(await page.locator('.msg .body', { hasText: body }).count(), 1, `${who} shows "${body}" once`);
    }
    const seqs = await page.$$eval('.messages .msg[data-seq]', (els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
    t.same(seqs, [1, 2, 3, 4, 5], `${who} has seqs 1-5 in order`);
  }

  const stored = (await (await fetch(`${http}/api/v1/rooms/${room}/messages?limit=50`, { headers: { Authorization: `Bearer ${botToken}` } })).json()) as { messages: Array<{ body: string }> };
  t.equal(stored.messages.filter((m) => m.body === 'written while offline').length, 1, 'the server stored the offline message once');
});
