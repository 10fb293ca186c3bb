/**
 * Messages written while offline are sent, once the client is back, at a
 * pace the server accepts: a queue of 300 against a server that takes 30
 * frames a second is stored whole and in order, and the socket is never
 * closed for flooding.
 */
import t from 'tap';
import { launchBrowser, newPage, signIn, sleep, startWorld, tokenFor } from './harness.js';

const COUNT = 300;

// Typing 300 messages through the page and draining them at 30 frames a second outlasts the default file timeout on a loaded machine.
t.setTimeout(600_000);

t.test('300 messages queued offline are all stored, in order, without a 1008 close', async (t) => {
  const world = await startWorld({
    people: [{ name: 'alice' }, { name: 'bot' }],
    rooms: { ops: ['alice', 'bot'] },
    // Well under what an unpaced client would send at once: 300 frames in one go would be refused and closed.
    serveArgs: ['--frames-per-second', '30', '--frame-burst', '20', '--user-frames-per-second', '30', '--user-frame-burst', '20', '--max-history-limit', String(COUNT)],
  });
  t.teardown(() => world.close());
  const http = world.server.http;
  const room = world.rooms.ops!;
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const { page } = await newPage(browser);
  const refusals: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    const text = String(f.payload);
    if (text.includes('"rate_limited"')) refusals.push(text);
  }));

  await signIn(page, http, world.people.alice!);
  await page.locator(`a.room[data-room="${room}"]`).click();
  const input = page.locator('#composer-input');
  await input.waitFor();

  await world.server.stop('SIGTERM');
  await page.locator('.conn[data-state="waiting"]').waitFor({ timeout: 15_000 });
  const bodies = Array.from({ length: COUNT }, (_, i) => `queued ${String(i + 1).padStart(3, '0')}`);
  // Typed with the keyboard into the focused composer (which keeps focus and empties on Enter):
  // two input events a message instead of a locator's actionability checks before each fill and press.
  await input.focus();
  for (const body of bodies) {
    await page.keyboard.insertText(body);
    await page.keyboard.press('Enter');
  }
  t.equal(await page.locator('.pending').count(), COUNT, 'all of them wait, shown as pending');

  await world.server.start();
  // The back-off may have grown while the messages were typed: ask for a reconnect now.
  const retry = page.getByRole('button', { name: 'Retry now' });
  if (await retry.isVisible()) await retry.click().catch(() => undefined);
  await page.locator('.conn[data-state="online"]').waitFor({ timeout: 60_000 });

  const botToken = await tokenFor(http, world.people.bot!);
  let stored: Array<{ seq: number; body: string }> = [];
  // Bounded: at 30 frames a second 300 messages need about 10 s; allow for a loaded machine.
  for (let i = 0; i < 360 && stored.length < COUNT; i++) {
    const res = await fetch(`${http}/api/v1/rooms/${room}/messages?limit=${COUNT}`, { headers: { Authorization: `Bearer ${botToken}` } });
    stored = ((await res.json()) as { messages: Array<{ seq: number; body: string }> }).messages;
    if (stored.length < COUNT) await sleep(500);
  }
  t.equal(stored.length, COUNT, `all ${COUNT} messages were stored`);
  t.same(stored.map((m) => m.seq), bodies.map((_, i) => i + 1), 'seqs 1..300');
  t.same(stored.map((m) => m.body), bodies, 'in the order they were written');

  await page.locator('.pending').first().waitFor({ state: 'detached', timeout: 30_000 });
  t.equal(await page.locator('.pending').count(), 0, 'nothing is left pending or failed');
  t.equal(await page.locator('.conn').getAttribute('data-state'), 'online', 'the client is still online');
  const metrics = await (await fetch(`${http}/metrics`)).text();
  t.notMatch(metrics, /roost_connections_closed_total\{code="1008"\}/, 'no socket was closed with 1008');
  t.notMatch(metrics, /roost_policy_closes_total \d*[1-9]/, 'no policy close at all');
  t.comment(`rate_limited refusals seen by the client (each waited out): ${refusals.length}`);
});
