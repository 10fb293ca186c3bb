import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { addWebhook } from '../../src/store/admin/hooks.js';
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
