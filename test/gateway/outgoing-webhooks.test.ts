import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { removeMember } from '../../src/store/admin/admin.js';
import { addWebhook, removeWebhook } from '../../src/store/admin/hooks.js';
import { familyModeratedByAlice } from '../helpers/moderated-room.js';
import { sleep, startTestServer, type TestServer } from '../helpers/server.js';

interface Teardown { teardown(fn: () => unknown): void }

/** One delivery as the receiver saw it. */
interface Seen { body: string; signature: string; attempt: number; at: number; res: ServerResponse }

/** A webhook receiver on 127.0.0.1; `answer` decides each response (or holds it open by not ending it). */
async function receiver(t: Teardown, answer: (seen: Seen, n: number) => void): Promise<{ url: string; seen: Seen[]; waitFor(n: number): Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { body, signature: String(req.headers['x-roost-signature']), attempt: Number(req.headers['x-roost-attempt']), at: Date.now(), res };
      seen.push(s);
      answer(s, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen,
    waitFor: (n) => until(() => seen.length >= n, `${n} deliveries (got ${seen.length})`),
  };
}

async function until(ok: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (let i = 0; !ok(); i++) {
    if (Date.now() > end || i > 10_000) throw new Error(`waited ${limitMs} ms for ${what}`);
    await sleep(10);
  }
}

function counter(ts: TestServer, name: string): number {
  let sum = 0;
  for (const v of ts.server.metrics.counters.get(name)?.values.values() ?? []) sum += v;
  return sum;
}

const json = (res: ServerResponse, status: number, value?: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(value === undefined ? '' : JSON.stringify(value));
};

async function setup(t: Teardown, overrides: Parameters<typeof startTestServer>[0], url: string, trigger = 'any'): Promise<{ ts: TestServer; room: string; token: string; secret: string; bot: string }> {
  const ts = await startTestServer(overrides);
  t.teardown(() => ts.close());
  const alice = await ts.user('alice');
  const room = await ts.room('family', ['alice']);
  const made = ts.admin((db) => addWebhook(db, { room: 'family', url, trigger, name: 'Lights', createdBy: 'test' }));
  await ts.followed();
  return { ts, room, token: alice.token, secret: made.secret, bot: String(made.webhook.bot) };
}

t.test('a delivery is the message as JSON, signed with HMAC-SHA256 over the raw body', async (t) => {
  const rx = await receiver(t, (s) => json(s.res, 204));
  const { ts, room, token, secret } = await setup(t, {}, rx.url);
  const alice = await ts.connect(token);
  const ack = await alice.request({ type: 'send', id: 's', room, body: 'lights off please', clientMsgId: 'c1' });
  await rx.waitFor(1);
  const d = rx.seen[0] as Seen;
  t.equal(d.signature, `sha256=${createHmac('sha256', secret).update(d.body).digest('hex')}`, 'the receiver verifies the signature with the secret');
  t.not(d.signature, `sha256=${createHmac('sha256', 'wrong').update(d.body).digest('hex')}`);
  t.match(JSON.parse(d.body), { room, trigger: 'any', message: { room, seq: ack.seq, msgId: ack.msgId, body: 'lights off please' } });
  await until(() => counter(ts, 'roost_webhook_delivered_total') === 1, 'the delivery to be counted');
});

t.test('failed deliveries are retried with doubling waits, then given up and counted', async (t) => {
  const base = 40;
  const rx = await receiver(t, (s, n) => json(s.res, n < 3 ? 500 : 200));
  const { ts, room, token } = await setup(t, { webhookRetryBaseMs: base, webhookMaxAttempts: 4 }, rx.url);
  const alice = await ts.connect(token);
  await alice.request({ type: 'send', id: 's', room, body: 'hello', clientMsgId: 'c1' });
  await rx.waitFor(3);
  t.same(rx.seen.map((s) => s.attempt), [1, 2, 3], 'the same message, attempt after attempt');
  t.equal(new Set(rx.seen.map((s) => s.body)).size, 1, 'the same body each time');
  // Lower bounds only: a loaded machine makes the waits longer, never shorter. Less the
  // timers' millisecond granularity: libuv starts a timer from the loop's cached clock.
  const [a, b, c] = rx.seen.map((s) => s.at) as [number, number, number];
  const tick = 2;
  t.ok(b - a >= base - tick, `the first retry waited at least ${base} ms (${b - a})`);
  t.ok(c - b >= 2 * base - tick, `the second waited at least twice that (${c - b})`);
  await until(() => counter(ts, 'roost_webhook_delivered_total') === 1, 'the third attempt to be counted delivered');
  t.equal(counter(ts, 'roost_webhook_retries_total'), 2);

  // A receiver that always fails: attempts stop at the bound and the give-up is counted.
  const dead = await receiver(t, (s) => json(s.res, 500));
  const second = await setup(t, { webhookRetryBaseMs: 1, webhookMaxAttempts: 3 }, dead.url);
  const bob = await second.ts.connect(second.token);
  await bob.request({ type: 'send', id: 's', room: second.room, body: 'anyone?', clientMsgId: 'c1' });
  await until(() => counter(second.ts, 'roost_webhook_given_up_total') === 1, 'the delivery to be given up');
  t.equal(dead.seen.length, 3, 'exactly webhookMaxAttempts deliveries');
  t.same(dead.seen.map((s) => s.attempt), [1, 2, 3]);
});

t.test('a receiver that holds the request open does not delay other sends', async (t) => {
  const rx = await receiver(t, () => undefined); // never answers
  const { ts, room, token } = await setup(t, { webhookConcurrency: 1, webhookQueueMax: 2 }, rx.url);
  const alice = await ts.connect(token);
  await alice.request({ type: 'send', id: 's0', room, body: 'first', clientMsgId: 'c0' });
  await rx.waitFor(1);
  // The receiver holds delivery 1; the queue (2) fills and overflows while these are acked.
  for (let i = 1; i <= 5; i++) {
    const ack = await alice.request({ type: 'send', id: `s${i}`, room, body: `next ${i}`, clientMsgId: `c${i}` });
    t.equal(ack.type, 'ack', `send ${i} acked while the receiver still holds the first delivery`);
  }
  t.equal(rx.seen.length, 1, 'still only the held delivery: the acks did not wait for it');
  t.notOk(rx.seen[0]?.res.writableEnded, 'and it is still open');
  t.ok(counter(ts, 'roost_webhook_dropped_total') >= 3, 'past the queue bound deliveries are dropped and counted, not kept');
});

t.test('a {"text"} answer is posted into the room as the webhook\'s bot, which does not trigger it again', async (t) => {
  const rx = await receiver(t, (s) => json(s.res, 200, { text: 'lights are off' }));
  const { ts, room, token, bot } = await setup(t, {}, rx.url, '!lights');
  const alice = await ts.connect(token);
  const reply = alice.next((f) => f.type === 'message' && f.from === bot && f.event === undefined);
  await alice.request({ type: 'send', id: 'a', room, body: 'no command here', clientMsgId: 'c0' });
  await alice.request({ type: 'send', id: 'b', room, body: '!lights off', clientMsgId: 'c1' });
  t.equal((await reply).body, 'lights are off');
  await rx.waitFor(1);
  t.equal(rx.seen.length, 1, 'only the !lights message fired it');
  t.match(JSON.parse((rx.seen[0] as Seen).body), { message: { body: '!lights off' } });
  const members = await alice.request({ type: 'members', id: 'm', room });
  t.match(members, { members: [{}, { user: bot, bot: true }] }, 'its bot is a member, marked a bot');
});

t.test('owners and moderators register webhooks over HTTP; a host off the LAN is refused', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  const { alice, bob, room } = await familyModeratedByAlice(ts);
  const add = (token: string, url: string): Promise<Response> => fetch(`${ts.http}/api/v1/rooms/${room}/webhooks`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ url, trigger: 'mention', name: 'Helper' }),
  });
  const member = await add(bob.token, 'http://127.0.0.1:9/x');
  t.equal(member.status, 403, 'a plain member may not');
  t.match(await member.json(), { error: { reason: 'not_allowed_for_role' } });
  const remote = await add(alice.token, 'http://8.8.8.8/x');
  t.equal(remote.status, 400, 'a public address is refused');
  t.match(await remote.json(), { error: { message: /not on the LAN/ } });
  const ok = await add(alice.token, 'http://127.0.0.1:9/x');
  t.equal(ok.status, 201);
  const made = (await ok.json()) as { webhook: { id: string; trigger: string }; secret: string };
  t.match(made, { webhook: { trigger: 'mention' }, secret: /^[A-Za-z0-9_-]{43}$/ });
  const list = await fetch(`${ts.http}/api/v1/rooms/${room}/integrations`, { headers: { Authorization: `Bearer ${alice.token}` } });
  const listed = (await list.json()) as { webhooks: Array<Record<string, unknown>> };
  t.equal(listed.webhooks.length, 1);
  t.notOk('secret' in (listed.webhooks[0] ?? {}), 'the list never shows the secret');
  const removed = await fetch(`${ts.http}/api/v1/rooms/${room}/webhooks/${made.webhook.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${alice.token}` } });
  t.equal(removed.status, 200);
});

t.test('one webhook\'s answer does not fire another webhook of the room', async (t) => {
  let n = 0;
  const rx = await receiver(t, (s) => json(s.res, 200, { text: `echo ${++n}` }));
  const { ts, room, token } = await setup(t, {}, rx.url, 'any');
  const second = ts.admin((db) => addWebhook(db, { room: 'family', url: rx.url, trigger: 'any', name: 'Echo', createdBy: 'test' }));
  await ts.followed();
  const alice = await ts.connect(token);
  const answers = new Set([String(second.webhook.bot)]);
  const seen: string[] = [];
  const done = alice.next((f) => {
    if (f.type === 'message' && typeof f.from === 'string' && f.event === undefined && f.body !== 'hi') seen.push(f.from);
    return seen.length >= 2;
  });
  await alice.request({ type: 'send', id: 's', room, body: 'hi', clientMsgId: 'c1' });
  await done;
  t.equal(seen.filter((b) => answers.has(b)).length, 1, 'each webhook answered the person once');
  // Then a person's message as a marker: had the answers fired each other, more deliveries would come before its two.
  await alice.request({ type: 'send', id: 's2', room, body: 'marker', clientMsgId: 'c2' });
  await rx.waitFor(4);
  const bodies = rx.seen.map((s) => (JSON.parse(s.body) as { message: { body: string } }).message.body);
  t.same(bodies.slice().sort(), ['hi', 'hi', 'marker', 'marker'], 'only the people\'s messages were delivered');
});

t.test('a receiver that trickles its answer is cut at webhookTimeoutSeconds for the whole delivery, and does not starve other webhooks', async (t) => {
  const timers: NodeJS.Timeout[] = [];
  const slow = createServer((req, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      timers.push(setInterval(() => res.write('x'), 200));
    });
  });
  let goodSeen = 0;
  const good = createServer((req, res) => {
    req.resume();
    req.on('end', () => { goodSeen++; res.writeHead(204); res.end(); });
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => good.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const x of timers) clearInterval(x);
    slow.closeAllConnections(); slow.close();
    good.closeAllConnections(); good.close();
  });
  const ts = await startTestServer({ webhookTimeoutSeconds: 1, webhookConcurrency: 1, webhookMaxAttempts: 1 });
  t.teardown(() => ts.close());
  const alice = await ts.user('alice');
  const family = await ts.room('family', ['alice']);
  const other = await ts.room('other', ['alice']);
  ts.admin((db) => addWebhook(db, { room: 'family', url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, trigger: 'any', name: 'Slow', createdBy: 'test' }));
  ts.admin((db) => addWebhook(db, { room: 'other', url: `http://127.0.0.1:${(good.address() as AddressInfo).port}/`, trigger: 'any', name: 'Good', createdBy: 'test' }));
  await ts.followed();
  const ws = await ts.connect(alice.token);
  await ws.request({ type: 'send', id: 'a', room: family, body: 'to the slow one', clientMsgId: 'c1' });
  await sleep(300);
  await ws.request({ type: 'send', id: 'b', room: other, body: 'to the good one', clientMsgId: 'c2' });
  const end = Date.now() + 20_000; // far past webhookTimeoutSeconds; without the deadline it never comes
  while (goodSeen === 0 && Date.now() < end) await sleep(50);
  t.equal(goodSeen, 1, 'the other room\'s webhook got its delivery (the one slot was freed at the deadline)');
});

t.test('a removed webhook gets no more deliveries (its queued retries are dropped) and posts no more answers', async (t) => {
  let removed = false;
  let afterRemoval = 0;
  let seen = 0;
  const rx = createServer((req, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      seen++;
      if (removed) afterRemoval++;
      if (!removed) return void res.writeHead(503).end();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ text: 'still here after removal' }));
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  t.teardown(() => { rx.closeAllConnections(); rx.close(); });
  const ts = await startTestServer({ webhookRetryBaseMs: 500, webhookMaxAttempts: 5 });
  t.teardown(() => ts.close());
  const alice = await ts.user('alice');
  const room = await ts.room('family', ['alice']);
  const made = ts.admin((db) => addWebhook(db, { room: 'family', url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/`, trigger: 'any', name: 'Lights', createdBy: 'test' }));
  await ts.followed();
  const ws = await ts.connect(alice.token);
  await ws.request({ type: 'send', id: 's', room, body: 'private family message', clientMsgId: 'c1' });
  for (let i = 0; seen < 1 && i < 2000; i++) await sleep(10);
  ts.admin((db) => removeWebhook(db, made.webhook.id));
  await ts.followed();
  removed = true;
  await sleep(2500);
  t.equal(afterRemoval, 0, 'no delivery reached the removed webhook\'s URL');
  const page = await ws.request({ type: 'history', id: 'h', room });
  const fromBot = (page.messages as Array<{ from: string; body: string }>).filter((m) => m.from === String(made.webhook.bot) && m.body.includes('after removal'));
  t.equal(fromBot.length, 0, 'the removed webhook\'s bot posted nothing');
});

t.test('a webhook whose bot is no longer a member of the room gets none of its messages', async (t) => {
  const bodies: string[] = [];
  const rx = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => { bodies.push(b); res.writeHead(204).end(); });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  t.teardown(() => { rx.closeAllConnections(); rx.close(); });
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  const alice = await ts.user('alice');
  const room = await ts.room('family', ['alice']);
  const made = ts.admin((db) => addWebhook(db, { room: 'family', url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/`, trigger: 'any', name: 'Lights', createdBy: 'test' }));
  await ts.followed();
  ts.admin((db) => removeMember(db, 'family', made.webhook.botName));
  await ts.followed();
  const ws = await ts.connect(alice.token);
  const members = await ws.request({ type: 'members', id: 'm', room });
  t.notOk(JSON.stringify(members).includes(`"${made.webhook.bot}"`), 'the bot is no longer listed as a member');
  await ws.request({ type: 'send', id: 's', room, body: 'said after the bot was removed', clientMsgId: 'c1' });
  await sleep(1500);
  t.same(bodies.filter((b) => b.includes('said after the bot was removed')), [], 'nothing said after the removal reached the webhook');
});

t.test('a webhook answer that is not well-formed Unicode is not posted, and a long one is cut at a code point', async (t) => {
  const answers = ['{"text":"lights \\ud800 off"}', JSON.stringify({ text: `${'x'.repeat(99)}😀 cut` })];
  let n = 0;
  const rx = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(answers[n++ % 2]));
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  t.teardown(() => { rx.closeAllConnections(); rx.close(); });
  const ts = await startTestServer({ maxBodyChars: 100 });
  t.teardown(() => ts.close());
  const alice = await ts.user('alice');
  const room = await ts.room('family', ['alice']);
  const made = ts.admin((db) => addWebhook(db, { room: 'family', url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/`, trigger: '!lights', name: 'Lights', createdBy: 'test' }));
  await ts.followed();
  const ws = await ts.connect(alice.token);
  await ws.request({ type: 'send', id: 's1', room, body: '!lights off', clientMsgId: 'c1' });
  await ws.request({ type: 'send', id: 's2', room, body: '!lights long', clientMsgId: 'c2' });
  const bodies = (): Array<{ body: string }> => ts.admin((db) => db.prepare("SELECT body FROM messages WHERE sender_id = ? AND body != ''").all(made.webhook.bot) as Array<{ body: string }>);
  for (let i = 0; i < 2000 && !bodies().some((r) => r.body.startsWith('xxx')); i++) await sleep(10);
  const stored = bodies();
  t.same(stored.map((r) => r.body), ['x'.repeat(99)], 'the long answer is cut before the emoji it would have split; the one with a lone surrogate is not posted');
  t.same(stored.filter((r) => r.body.includes('\ufffd')), [], `nothing stored with U+FFFD in place of what the receiver sent (${JSON.stringify(stored)})`);
});
