// Functions passed to page.evaluate run inside the page, so they need the DOM's types.
/// <reference lib="dom" />
/**
 * The assistant in Chromium: a room's owner invites it from the integrations
 * panel; a mention is answered under the bot's name, marked as a bot's, and
 * the answer grows in place by edits without a reload.
 */
import t from 'tap';
import { setMemberRole } from '../../src/store/admin/admin.js';
import { enableAssistant } from '../../src/store/admin/assistant.js';
import { openWritable } from '../../src/store/db/database.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { launchBrowser, newPage, signIn, startWorld } from './harness.js';

t.test('an owner invites the assistant; its streamed answer shows growing by edits, marked as a bot\'s', async (t) => {
  const llm = await startFakeLlm({ kind: 'stream', chunks: ['Hello', ' from', ' the', ' model'], delayMs: 200 });
  t.teardown(() => llm.close());
  const world = await startWorld({ people: [{ name: 'alice' }], rooms: { family: ['alice'] }, serveArgs: ['--assistant-edit-interval-ms', '0'] });
  t.teardown(() => world.close());
  const db = openWritable(world.server.dataDir);
  try {
    setMemberRole(db, 'family', 'alice', 'owner');
    enableAssistant(db, { url: llm.url, model: 'tiny', name: 'assistant', allowRemote: false });
  } finally {
    db.close();
  }
  const http = world.server.http;
  const { alice } = world.people as Record<string, { id: string; name: string; password: string; role: 'member' }>;
  const room = world.rooms.family as string;
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const a = await newPage(browser);
  await signIn(a.page, http, alice!);

  await a.page.goto(`${http}/#/room/${room}`);
  await a.page.getByRole('button', { name: 'Room settings' }).click();
  const panel = a.page.locator('section.integrations');
  const out = panel.locator('.assistant-member[data-member="false"]');
  await t.resolves(out.waitFor({ timeout: 30_000 }), 'the panel says the assistant is not in the room');
  await out.getByRole('button', { name: 'Invite' }).click();
  await t.resolves(panel.locator('.assistant-member[data-member="true"]').waitFor({ timeout: 30_000 }), 'and then that it is');
  await a.page.keyboard.press('Escape');

  await a.page.locator('#composer-input').click();
  await a.page.locator('#composer-input').fill('hi @assistant how are you');
  await a.page.keyboard.press('Enter');
  const answer = a.page.locator('.group:not(.mine)').filter({ has: a.page.locator('.who', { hasText: 'assistant' }) });
  await t.resolves(answer.locator('.body', { hasText: 'Hello from the model' }).waitFor({ timeout: 60_000 }), 'the whole answer shows, live');
  await t.resolves(answer.locator('.edited').first().waitFor({ timeout: 30_000 }), 'it got there by edits');
  await t.resolves(answer.locator('.bot-badge').first().waitFor({ timeout: 30_000 }), 'marked as a bot');
  t.equal(llm.requests.length, 1);
});
