import t from 'tap';
import { BUSY_TEXT, FULL_TEXT } from '../../src/chat/assistant.js';
import { addMember, createRoom } from '../../src/store/admin/admin.js';
import { disableAssistant, enableAssistant } from '../../src/store/admin/assistant.js';
import type { Frame, TestClient } from '../helpers/client.js';
import { startFakeLlm, type FakeBehaviour, type FakeLlm } from '../helpers/fake-llm.js';
import { familyModeratedByAlice } from '../helpers/moderated-room.js';
import { sleep, startTestServer, type TestServer } from '../helpers/server.js';

interface Teardown { teardown(fn: () => unknown): void }

async function until(ok: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (let i = 0; !ok(); i++) {
    if (Date.now() > end || i > 10_000) throw new Error(`waited ${limitMs} ms for ${what}`);
    await sleep(10);
  }
}

interface World { ts: TestServer; llm: FakeLlm; alice: TestClient; aliceId: string; room: string; bot: string }

/** A server with the assistant on (pointed at the fake model server), alice and the bot in "family". */
async function world(t: Teardown, behaviour: FakeBehaviour, overrides: Parameters<typeof startTestServer>[0] = {}): Promise<World> {
  const llm = await startFakeLlm(behaviour);
  t.teardown(() => llm.close());
  const ts = await startTestServer({ assistantEditIntervalMs: 0, ...overrides });
  t.teardown(() => ts.close());
  const a = await ts.user('alice');
  // The three admin changes, then one wait for the events follower to apply them
  // all, instead of one wait per change.
  const { room, set } = ts.admin((db) => {
    const created = createRoom(db, 'family', ['alice'], undefined, { entries: false });
    const enabled = enableAssistant(db, { url: llm.url, model: 'tiny', name: 'assistant', allowRemote: false });
    addMember(db, 'family', 'assistant', undefined, { entries: false });
    return { room: String(created.id), set: enabled };
  });
  await ts.followed();
  const alice = await ts.connect(a.token);
  return { ts, llm, alice, aliceId: a.id, room, bot: String(set.bot) };
}

async function say(c: TestClient, room: string, body: string): Promise<number> {
  const ack = await c.request({ type: 'send', room, body, clientMsgId: `c-${Math.random()}` });
  if (ack.type !== 'ack') throw new Error(`send refused: ${JSON.stringify(ack)}`);
  return ack.seq as number;
}

/** The bot's reply to `seq`, once its text stopped growing to `final` (or any text when final is undefined). */
async function replyTo(c: TestClient, room: string, seq: number, bot: string, final?: (body: string) => boolean): Promise<{ first: Frame; body: string; edits: Frame[] }> {
  const first = await c.next((f) => f.type === 'message' && f.from === bot && f.room === room && f.replyTo === seq, 30_000);
  const edits = (): Frame[] => c.frames.filter((f) => f.type === 'edited' && f.room === room && f.seq === first.seq);
  const body = (): string => String(edits().at(-1)?.body ?? first.body);
  if (final !== undefined) await until(() => final(body()), `the reply to become final (now "${body()}")`);
  return { first, body: body(), edits: edits() };
}

t.test('an @mention is answered as the bot, replying to the question, growing by edits to the streamed text', async (t) => {
  const w = await world(t, { kind: 'stream', chunks: ['We ', 'meet ', 'at ', 'noon.'], delayMs: 20 });
  await say(w.alice, w.room, 'we meet at noon on the bridge');
  const q = await say(w.alice, w.room, '@assistant where do we meet?');
  const r = await replyTo(w.alice, w.room, q, w.bot, (b) => b === 'We meet at noon.');
  t.equal(r.body, 'We meet at noon.');
  t.ok('We meet at noon.'.startsWith(String(r.first.body)), `the first post is the stream's beginning ("${String(r.first.body)}")`);
  t.ok(r.edits.length >= 1, 'it grew by edits');

  t.equal(w.llm.requests.length, 1);
  const ask = w.llm.requests[0];
  t.match(ask, { model: 'tiny', stream: true });
  t.equal(ask?.messages[0]?.role, 'system');
  t.match(w.llm.promptText(0), /alice: we meet at noon on the bridge/);
  t.match(w.llm.promptText(0), /Question: @assistant where do we meet\?/);

  const page = await w.alice.request({ type: 'history', room: w.room });
  const last = (page.messages as Frame[]).at(-1);
  t.match(last, { from: w.bot, body: 'We meet at noon.', replyTo: q }, 'the answer is ordinary history');
  const members = await w.alice.request({ type: 'members', room: w.room });
  t.ok((members.members as Frame[]).some((m) => m.user === w.bot && m.bot === true), 'marked a bot');
});

t.test('nothing from another room enters the prompt, even for a question about the past', async (t) => {
  const w = await world(t, { kind: 'stream', chunks: ['ok'] });
  const secret = await w.ts.room('secret', ['alice']);
  await w.ts.addMember('secret', 'assistant');
  await say(w.alice, secret, 'the bridge password is PINEAPPLE');
  await say(w.alice, w.room, 'the bridge is closed on sundays');
  const q = await say(w.alice, w.room, '@assistant what did we say earlier about the bridge password?');
  await replyTo(w.alice, w.room, q, w.bot, (b) => b === 'ok');
  const prompt = w.llm.promptText(0);
  t.match(prompt, /the bridge is closed on sundays/, 'this room\'s message is there');
  t.notMatch(prompt, /PINEAPPLE/, 'the other room\'s never is');
  t.notMatch(prompt, /secret/);

  // A question in the secret room, from the same person, does see it: the filter is the room, not the word.
  const q2 = await say(w.alice, secret, '@assistant what did we say earlier about the bridge password?');
  await replyTo(w.alice, secret, q2, w.bot, (b) => b === 'ok');
  t.match(w.llm.promptText(1), /PINEAPPLE/);
  t.notMatch(w.llm.promptText(1), /closed on sundays/);
});

t.test('in a history: joined room the prompt holds only what the asker may read', async (t) => {
  const w = await world(t, { kind: 'stream', chunks: ['ok'] });
  const carol = await w.ts.user('carol');
  const created = await w.alice.request({ type: 'create_room', name: 'Lobby', joinRule: 'public', history: 'joined' });
  const lobby = created.room as string;
  await w.ts.addMember(lobby, 'assistant');
  await say(w.alice, lobby, 'the launch code is ZEBRA before carol came');
  const c = await w.ts.connect(carol.token);
  t.match(await c.request({ type: 'join', room: lobby }), { type: 'ok' });
  await say(w.alice, lobby, 'welcome carol');
  const q = await say(c, lobby, '@assistant did we mention the launch code earlier?');
  await replyTo(c, lobby, q, w.bot, (b) => b === 'ok');
  t.match(w.llm.promptText(0), /welcome carol/);
  t.notMatch(w.llm.promptText(0), /ZEBRA/, 'neither from recent messages nor from search');

  const q2 = await say(w.alice, lobby, '@assistant did we mention the launch code earlier?');
  await replyTo(w.alice, lobby, q2, w.bot, (b) => b === 'ok');
  t.match(w.llm.promptText(1), /ZEBRA/, 'alice, who was there, gets it');
});

t.test('the prompt keeps the newest messages within the token budget (chars / 4)', async (t) => {
  const w = await world(t, { kind: 'stream', chunks: ['ok'] }, { assistantContextTokens: 100 });
  for (let i = 10; i < 40; i++) await say(w.alice, w.room, `message number ${i} ${'x'.repeat(30)}`);
  const q = await say(w.alice, w.room, '@assistant anything new?');
  await replyTo(w.alice, w.room, q, w.bot, (b) => b === 'ok');
  const user = w.llm.requests[0]?.messages[1]?.content ?? '';
  t.match(user, /message number 39/, 'the newest is in');
  t.notMatch(user, /message number 10/, 'the oldest is not');
  const lines = user.split('\n').filter((l) => l.startsWith('alice: message number'));
  t.ok(lines.reduce((n, l) => n + l.length + 1, 0) <= 400, 'the context lines fit in 100 tokens × 4 chars');
});

t.test('catch me up summarizes what the asker has not read', async (t) => {
  const w = await world(t, { kind: 'stream', chunks: ['summary'] }, { receiptWindowMs: 0 });
  const bob = await w.ts.user('bob');
  await w.ts.addMember('family', 'bob');
  const b = await w.ts.connect(bob.token);
  const seen = await say(w.alice, w.room, 'old news bob already read');
  b.send({ type: 'read', room: w.room, seq: seen });
  t.match(await w.alice.next((f) => f.type === 'receipt' && f.user === bob.id, 30_000), { seq: seen }, 'bob\'s read marker is stored');
  await say(w.alice, w.room, 'fresh news bob missed');
  const q = await say(b, w.room, '@assistant catch me up');
  await replyTo(b, w.room, q, w.bot, (x) => x === 'summary');
  const prompt = w.llm.promptText(0);
  t.match(prompt, /Summarize the unread/);
  t.match(prompt, /fresh news bob missed/);
  t.notMatch(prompt, /old news bob already read/);
});

t.test('failures become one short message in the room, and nothing is retried', async (t) => {
  // The timeout covers whole answers: long enough that the 500 and the garbage stream (loopback,
  // milliseconds) never meet it on a loaded box, short enough that the hang does not drag.
  const w = await world(t, { kind: 'status', status: 500 }, { assistantTimeoutSeconds: 4 });
  const q1 = await say(w.alice, w.room, '@assistant hello?');
  t.match((await replyTo(w.alice, w.room, q1, w.bot)).body, /^Sorry, I could not answer: the model server answered HTTP 500\.$/);

  w.llm.behaviour = { kind: 'hang' };
  const q2 = await say(w.alice, w.room, '@assistant are you there?');
  t.match((await replyTo(w.alice, w.room, q2, w.bot)).body, /did not answer in time/, 'a hang ends at assistantTimeoutSeconds');

  w.llm.behaviour = { kind: 'garbage' };
  const q3 = await say(w.alice, w.room, '@assistant say something');
  const cut = await replyTo(w.alice, w.room, q3, w.bot, (b) => b.includes('cut off'));
  t.match(cut.body, /^Par\n\n\(answer cut off: the model server sent a stream that is not JSON\)$/, 'what came before the garbage stays, and says why it stopped');

  t.equal(w.llm.requests.length, 3, 'one request per question: no retries');
  const ack = await w.alice.request({ type: 'send', room: w.room, body: 'sends still work', clientMsgId: 'after' });
  t.equal(ack.type, 'ack');
});

t.test('an answer is cut at assistantMaxAnswerChars', async (t) => {
  const w = await world(t, { kind: 'stream', chunks: Array.from({ length: 50 }, () => 'abcdefghij') }, { assistantMaxAnswerChars: 100 });
  const q = await say(w.alice, w.room, '@assistant talk a lot');
  const r = await replyTo(w.alice, w.room, q, w.bot, (b) => b.length >= 100);
  t.equal(r.body, 'abcdefghij'.repeat(10));
  t.equal(w.llm.requests.length, 1);
});

t.test('an unreachable model server is one short message', async (t) => {
  const w = await world(t, { kind: 'stream', chunks: ['never'] });
  await w.llm.close();
  const q = await say(w.alice, w.room, '@assistant hello?');
  t.match((await replyTo(w.alice, w.room, q, w.bot)).body, /^Sorry, I could not answer: the model server could not be reached/);
});

t.test('one answer at a time per room (busy), and a bounded queue over the server (full)', async (t) => {
  const w = await world(t, { kind: 'hang' }, { assistantQueueMax: 2, assistantTimeoutSeconds: 120 });
  const other = await w.ts.room('other', ['alice']);
  await w.ts.addMember('other', 'assistant');
  const third = await w.ts.room('third', ['alice']);
  await w.ts.addMember('third', 'assistant');

  const q1 = await say(w.alice, w.room, '@assistant first');
  await until(() => w.llm.requests.length === 1, 'the first question to reach the model');
  const q2 = await say(w.alice, w.room, '@assistant second, same room');
  t.equal((await replyTo(w.alice, w.room, q2, w.bot)).body, BUSY_TEXT);
  const q3 = await say(w.alice, other, '@assistant queued behind the first');
  const q4 = await say(w.alice, third, '@assistant one too many');
  t.equal((await replyTo(w.alice, third, q4, w.bot)).body, FULL_TEXT);
  t.equal(w.llm.requests.length, 1, 'the busy and refused questions never reached the model');

  w.llm.behaviour = { kind: 'stream', chunks: ['done'] };
  w.llm.release();
  t.match((await replyTo(w.alice, w.room, q1, w.bot)).body, /^Sorry, I could not answer/, 'the cut first answer says so');
  t.equal((await replyTo(w.alice, other, q3, w.bot, (b) => b === 'done')).body, 'done', 'then the queued one is answered');
  t.equal(w.llm.requests.length, 2);
});

t.test('a running server follows disable and enable without a restart', async (t) => {
  const w = await world(t, { kind: 'stream', chunks: ['on'] });
  w.ts.admin((db) => disableAssistant(db));
  await w.ts.followed();
  await say(w.alice, w.room, '@assistant are you off?');
  w.ts.admin((db) => enableAssistant(db, { url: w.llm.url, model: 'tiny', name: 'assistant', allowRemote: false }));
  await w.ts.followed();
  const q = await say(w.alice, w.room, '@assistant are you on?');
  await replyTo(w.alice, w.room, q, w.bot, (b) => b === 'on');
  t.equal(w.llm.requests.length, 1, 'only the question asked while enabled reached the model');
  t.match(w.llm.promptText(0), /Question: @assistant are you on\?/);
  t.equal(w.alice.frames.filter((f) => f.type === 'message' && f.from === w.bot && f.event === undefined).length, 1, 'one answer posted');
});

t.test('a room\'s owners and moderators see whether the assistant is in, and invite or remove it over HTTP', async (t) => {
  const llm = await startFakeLlm({ kind: 'stream', chunks: ['hi'] });
  t.teardown(() => llm.close());
  const ts = await startTestServer({ assistantEditIntervalMs: 0 });
  t.teardown(() => ts.close());
  const { alice, bob, room } = await familyModeratedByAlice(ts);
  const list = async (token: string): Promise<Record<string, unknown>> =>
    (await (await fetch(`${ts.http}/api/v1/rooms/${room}/integrations`, { headers: { Authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
  const set = (token: string, member: boolean): Promise<Response> => fetch(`${ts.http}/api/v1/rooms/${room}/assistant`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ member }),
  });

  t.notOk('assistant' in await list(alice.token), 'no assistant entry while it is off');
  t.equal((await set(alice.token, true)).status, 409, 'nothing to invite while it is off');

  const enabled = ts.admin((db) => enableAssistant(db, { url: llm.url, model: 'tiny', name: 'assistant', allowRemote: false }));
  await ts.followed();
  t.match(await list(alice.token), { assistant: { bot: String(enabled.bot), botName: 'assistant', member: false } });
  const refused = await set(bob.token, true);
  t.equal(refused.status, 403, 'a plain member may not');
  t.match(await refused.json(), { error: { reason: 'not_allowed_for_role' } });

  const invited = await set(alice.token, true);
  t.equal(invited.status, 200);
  t.match(await invited.json(), { changed: true });
  t.match(await list(alice.token), { assistant: { member: true } });
  await ts.followed();
  const c = await ts.connect(alice.token);
  const q = await say(c, room, '@assistant hello');
  t.equal((await replyTo(c, room, q, String(enabled.bot), (b) => b === 'hi')).body, 'hi', 'once invited, it answers');

  t.equal((await set(alice.token, false)).status, 200);
  t.match(await list(alice.token), { assistant: { member: false } });
  const audit = ts.admin((db) => db.prepare("SELECT action, actor AS kind FROM audit_log WHERE action IN ('room.add', 'room.remove') ORDER BY id").all()) as Array<{ action: string; kind: string }>;
  t.same(audit, [{ action: 'room.add', kind: 'api' }, { action: 'room.remove', kind: 'api' }], `the invite and the removal are audited as the API's: ${JSON.stringify(audit)}`);
});

t.test('after disable, no queued question reaches the model server (its room\'s text stays home)', async (t) => {
  const llm = await startFakeLlm({ kind: 'hang' });
  t.teardown(() => llm.close());
  const ts = await startTestServer({ assistantEditIntervalMs: 0, assistantTimeoutSeconds: 30 });
  t.teardown(() => ts.close());
  const a = await ts.user('alice');
  const { family, garden } = ts.admin((db) => {
    const f = createRoom(db, 'family', ['alice'], undefined, { entries: false });
    const g = createRoom(db, 'garden', ['alice'], undefined, { entries: false });
    enableAssistant(db, { url: llm.url, model: 'tiny', name: 'assistant', allowRemote: false });
    addMember(db, 'family', 'assistant', undefined, { entries: false });
    addMember(db, 'garden', 'assistant', undefined, { entries: false });
    return { family: String(f.id), garden: String(g.id) };
  });
  await ts.followed();
  const alice = await ts.connect(a.token);
  await alice.request({ type: 'send', room: family, body: '@assistant first question', clientMsgId: 'c1' });
  for (let i = 0; llm.requests.length < 1 && i < 2000; i++) await sleep(10);
  t.equal(llm.requests.length, 1, 'the first question is being answered (the model hangs)');
  await alice.request({ type: 'send', room: garden, body: 'the garden gate code is 4711', clientMsgId: 'c2' });
  await alice.request({ type: 'send', room: garden, body: '@assistant second question', clientMsgId: 'c3' });
  await sleep(200);
  ts.admin((db) => disableAssistant(db));
  await ts.followed();
  llm.behaviour = { kind: 'stream', chunks: ['ok'] };
  llm.release(); // the first answer ends (fails)
  await sleep(1500);
  t.equal(llm.requests.length, 1, 'no prompt reached the model server after disable');
});
