/**
 * A long history in Chromium: a cold load shows the newest messages fast,
 * scrolling up pages through all 500 without losing the reader's place, and
 * "jump to latest" comes back down.
 */
import t from 'tap';
import { launchBrowser, newPage, postMessages, startWorld, tokenFor } from './harness.js';

const COUNT = 500;

t.test('scrolling back through 500 messages keeps the place and reaches the first one', async (t) => {
  const world = await startWorld({ people: [{ name: 'alice' }, { name: 'bob' }], rooms: { long: ['alice', 'bob'] } });
  t.teardown(() => world.close());
  const http = world.server.http;
  const room = world.rooms.long!;
  const bobToken = await tokenFor(http, world.people.bob!);
  const seeded = Date.now();
  await postMessages(http, bobToken, room, Array.from({ length: COUNT }, (_, i) => `history line ${i + 1}: ${'lorem ipsum '.repeat(1 + (i % 4))}`));
  t.comment(`seeded ${COUNT} messages over HTTP in ${Date.now() - seeded} ms`);

  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const { context, page } = await newPage(browser, { width: 1000, height: 700 });
  page.on('pageerror', (e) => t.fail(`page error: ${e.message}`));

  // A cold load (fresh profile, empty cache) of a signed-in user straight into the room.
  const login = (await (await fetch(`${http}/api/v1/login`, {
    method: 'POST', body: JSON.stringify({ username: 'alice', password: world.people.alice!.password }),
  })).json()) as { token: string; user: unknown };
  await context.addInitScript((session) => {
    localStorage.setItem('roost.session', JSON.stringify(session));
    const w = window as unknown as { firstMessageAt?: number };
    new MutationObserver((_, obs) => {
      if (document.querySelector('.msg') !== null) {
        w.firstMessageAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  }, login);
  await page.goto(`${http}/#/room/${room}`);
  await page.locator('.msg').first().waitFor();
  const firstRender = await page.evaluate(() => (window as unknown as { firstMessageAt?: number }).firstMessageAt ?? -1);
  // How fast is a figure for a quiet machine, not a verdict here: the observer saw a message drawn.
  t.ok(firstRender > 0, 'the first message is drawn on a cold load');
  t.comment(`time to first message render, cold load from localhost: ${Math.round(firstRender)} ms (this machine's load included)`);

  const box = page.locator('.messages');
  const newest = page.locator(`.msg[data-seq="${COUNT}"]`);
  await newest.waitFor();
  t.ok(await newest.isVisible(), 'the room opens at the newest message');

  // Scroll to the top again and again; each older page must leave the message that
  // was at the top exactly where it was on screen.
  let steps = 0;
  let drift = 0;
  for (; steps < 30; steps++) {
    // In one go, before any older page can arrive: go to the top and note where the top message sits.
    const top = await box.evaluate((el) => {
      el.scrollTop = 0;
      const first = el.querySelector<HTMLElement>('.msg');
      return first === null ? null : { seq: Number(first.dataset.seq), y: first.getBoundingClientRect().top };
    });
    if (top === null || top.seq === 1) break;
    await page.waitForFunction((seq) => Number(document.querySelector<HTMLElement>('.messages .msg')?.dataset.seq) < seq, top.seq);
    const y = await page.locator(`.msg[data-seq="${top.seq}"]`).evaluate((el) => el.getBoundingClientRect().top);
    drift = Math.max(drift, Math.abs(y - top.y));
  }
  await page.locator('.history-edge', { hasText: 'This is the beginning of the conversation.' }).waitFor();
  t.ok(steps < 30, `reached the first message in ${steps} pages`);
  t.ok(drift <= 2, `the message at the top stayed in place while older pages loaded (largest move ${Math.round(drift)} px)`);
  const seqs = await page.$$eval('.messages .msg', (els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
  t.equal(seqs.length, COUNT, 'all 500 messages are on the page');
  t.ok(seqs.every((s, i) => s === i + 1), 'once each, in order, with no gap');

  const jump = page.getByRole('button', { name: /Jump to latest/ });
  await jump.click();
  await t.resolves(jump.waitFor({ state: 'detached' }), 'jump to latest goes away at the bottom');
  await page.waitForFunction((n) => {
    const el = document.querySelector(`.msg[data-seq="${n}"]`);
    const box = document.querySelector('.messages');
    if (el === null || box === null) return false;
    return el.getBoundingClientRect().bottom <= box.getBoundingClientRect().bottom + 2;
  }, COUNT);
  t.pass('the newest message is in view again');
});
