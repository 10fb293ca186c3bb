import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { disableUser } from '../../src/store/admin/admin.js';
import { createHook, revokeHook } from '../../src/store/admin/hooks.js';
import { openReadOnly } from '../../src/store/db/database.js';
import { streamExport } from '../../src/store/history/export.js';
import { verifyChains } from '../../src/store/history/verify.js';
import { Writable } from 'node:stream';
import { startTestServer, type TestServer } from '../helpers/server.js';

const DOC = fileURLToPath(new URL('../../docs/integrations.md', import.meta.url));

/** A shell recipe of docs/integrations.md, between `<!-- recipe: NAME -->` and `<!-- /recipe -->`. */
function recipe(name: string): string {
  const text = readFileSync(DOC, 'utf8');
  const m = new RegExp(`<!-- recipe: ${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\s*<!-- /recipe -->`).exec(text);
  if (m?.[1] === undefined) throw new Error(`no recipe ${name} in docs/integrations.md`);
  return m[1];
}

function sh(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', script], { env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

async function hookIn(ts: TestServer, room: string, name: string): Promise<{ url: string; id: number; bot: string }> {
  const made = ts.admin((db) => createHook(db, { room, name, createdBy: 'test' }));
  await ts.followed();
  return { url: `${ts.http}/api/v1/hooks/${made.token}`, id: made.hook.id, bot: String(made.hook.bot) };
}

const post = (url: string, body: string, type = 'application/json'): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': type }, body });

t.test('the documented curl commands post into the room as the hook\'s bot, seen live by a member', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  const alice = await ts.user('alice');
  const room = await ts.room('family', ['alice']);
  const hook = await hookIn(ts, 'family', 'Backup NAS');
  const client = await ts.connect(alice.token);

  const live = client.next((f) => f.type === 'message' && f.from === hook.bot && f.event === undefined);
  const json = await sh(recipe('curl-json'), { ROOST_HOOK_URL: hook.url });
  t.equal(json.code, 0, json.stderr);
  const answer = JSON.parse(json.stdout) as { room: string; seq: number; msgId: string };
  t.equal(answer.room, room);
  const seen = await live;
  t.equal(seen.seq, answer.seq, 'the 201 names the stored message');
  t.equal(seen.msgId, answer.msgId);
  t.equal(seen.body, 'Backup *failed* on the NAS, see the NAS (http://nas.local:5000)', 'Slack links become plain text with the URL');

  const live2 = client.next((f) => f.type === 'message' && f.from === hook.bot && f.seq === answer.seq + 1);
  const text = await sh(recipe('curl-text'), { ROOST_HOOK_URL: hook.url });
  t.equal(text.code, 0, text.stderr);
  t.equal((await live2).body, 'The printer is out of paper\n', 'a text/plain body is the message');

  const profile = await client.request({ type: 'profile', id: 'p', user: hook.bot });
  t.match(profile, { type: 'profile', displayName: 'Backup NAS', bot: true }, 'the hook\'s bot shows the hook\'s name and is marked a bot');
});

t.test('markup cannot inject HTML, and a username is shown before the text', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  await ts.user('alice');
  await ts.room('family', ['alice']);
  const hook = await hookIn(ts, 'family', 'script');
  const res = await post(hook.url, JSON.stringify({ text: '<javascript:alert(1)|click> &lt;b&gt;', username: 'cron' }));
  t.equal(res.status, 201);
  const { seq } = (await res.json()) as { seq: number };
  const body = ts.admin((db) => (db.prepare('SELECT body FROM messages WHERE seq = ? AND room_id = (SELECT id FROM rooms WHERE name = ?)').get(seq, 'family') as { body: string }).body);
  t.equal(body, 'cron: click <b>', 'a non-http link keeps only its label; the body is text, rendered as text by clients');
});

t.test('an unknown and a revoked hook get the same 404', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  await ts.user('alice');
  await ts.room('family', ['alice']);
  const hook = await hookIn(ts, 'family', 'old');
  t.equal((await post(hook.url, '{"text":"before"}')).status, 201, 'works until revoked');
  ts.admin((db) => revokeHook(db, hook.id));
  const revoked = await post(hook.url, '{"text":"after"}');
  const unknown = await post(`${ts.http}/api/v1/hooks/${'A'.repeat(43)}`, '{"text":"after"}');
  const malformed = await post(`${ts.http}/api/v1/hooks/nope`, '{"text":"after"}');
  t.equal(revoked.status, 404);
  t.equal(unknown.status, 404);
  t.equal(malformed.status, 404);
  const [a, b, c] = await Promise.all([revoked.text(), unknown.text(), malformed.text()]);
  t.equal(a, b, 'the same body for revoked and unknown');
  t.equal(b, c);
});

t.test('a body over the limit gets 413 and stores nothing', async (t) => {
  const ts = await startTestServer({ hookMaxBodyBytes: 1024 });
  t.teardown(() => ts.close());
  await ts.user('alice');
  await ts.room('family', ['alice']);
  const hook = await hookIn(ts, 'family', 'big');
  const res = await post(hook.url, 'x'.repeat(4096), 'text/plain');
  t.equal(res.status, 413);
  t.match(await res.json(), { error: { code: 'too_large' } });
  const count = ts.admin((db) => (db.prepare("SELECT count(*) AS n FROM messages WHERE body != ''").get() as { n: number }).n);
  t.equal(count, 0);
});

t.test('past its burst a hook gets 429 with Retry-After', async (t) => {
  // One post a minute sustained: nothing refills during the test, whatever the machine's speed.
  const ts = await startTestServer({ hookBurst: 3, hookPerMinute: 1 });
  t.teardown(() => ts.close());
  await ts.user('alice');
  await ts.room('family', ['alice']);
  const hook = await hookIn(ts, 'family', 'chatty');
  const other = await hookIn(ts, 'family', 'quiet');
  for (let i = 0; i < 3; i++) t.equal((await post(hook.url, `{"text":"n${i}"}`)).status, 201, `post ${i + 1} of the burst`);
  const refused = await post(hook.url, '{"text":"one too many"}');
  t.equal(refused.status, 429);
  const wait = Number(refused.headers.get('retry-after'));
  t.ok(wait >= 1 && wait <= 60, `Retry-After ${wait} s: at most one token's refill at one a minute`);
  t.equal((await post(other.url, '{"text":"hi"}')).status, 201, 'another hook has its own bucket');
});

t.test('a hook\'s messages are exported and verify like any other', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  await ts.user('alice');
  await ts.room('family', ['alice']);
  const hook = await hookIn(ts, 'family', 'Backup NAS');
  t.equal((await post(hook.url, '{"text":"backup done"}')).status, 201);
  const db = openReadOnly(ts.dataDir);
  t.teardown(() => db.close());
  let text = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  await streamExport(db, { room: 'family', format: 'jsonl' }, sink, join(ts.dataDir, 'x.jsonl'));
  t.match(text, /backup done/, 'in the export');
  t.match(text, /backup-nas/, 'named by its bot');
  t.equal(verifyChains(db).ok, true, 'the hash chain verifies');
});

t.test('a hook whose bot account is disabled answers as a revoked hook and posts nothing', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  await ts.user('alice');
  await ts.room('family', ['alice']);
  const made = ts.admin((db) => createHook(db, { room: 'family', name: 'Backup NAS', createdBy: 'test' }));
  await ts.followed();
  const url = `${ts.http}/api/v1/hooks/${made.token}`;
  const before = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'before' });
  t.equal(before.status, 201, 'the hook posts while its bot is enabled');
  ts.admin((db) => disableUser(db, made.hook.botName));
  await ts.followed();
  const after = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'after the bot was disabled' });
  t.equal(after.status, 404, 'a disabled account posts nothing');
});
