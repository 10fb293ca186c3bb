import t from 'tap';
import { addMember } from '../../src/store/admin/admin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { heldCount, matrixLogin, mx, type Json, type Reply } from './helpers.js';

const NAME = 'roost.test';

async function sinceOf(s: TestServer, token: string): Promise<string> {
  return (await mx(s, 'GET', '/_matrix/client/v3/sync', { token })).body.next_batch as string;
}

const hold = (s: TestServer, token: string, since: string): Promise<Reply> => mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=30000`, { token });

t.test('one commit wakes every member\'s held /sync with the same events; only the sending device gets its transaction id', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob, carol] = [await s.user('alice'), await s.user('bob'), await s.user('carol')];
  const roomA = await s.room('a', ['alice', 'bob']);
  const roomB = await s.room('b', ['carol']);
  const phone = await matrixLogin(s, 'alice', alice.password, 'PHONE');
  const laptop = await matrixLogin(s, 'alice', alice.password, 'LAPTOP');
  const bobMx = await matrixLogin(s, 'bob', bob.password);
  const carolMx = await matrixLogin(s, 'carol', carol.password);
  const held = {
    phone: hold(s, phone.token, await sinceOf(s, phone.token)),
    laptop: hold(s, laptop.token, await sinceOf(s, laptop.token)),
    bob: hold(s, bobMx.token, await sinceOf(s, bobMx.token)),
  };
  const carolSince = await sinceOf(s, carolMx.token);
  const carolHeld = hold(s, carolMx.token, carolSince);
  await heldCount(s, 4);
  const sent = await mx(s, 'PUT', `/_matrix/client/v3/rooms/!r${roomA}:${NAME}/send/m.room.message/t1`, { token: phone.token, body: { msgtype: 'm.text', body: 'hello all' } });
  t.equal(sent.status, 200);
  const key = `!r${roomA}:${NAME}`;
  const eventsOf = (r: Reply): Json[] => r.body.rooms.join[key].timeline.events as Json[];
  const [p, l, b] = [await held.phone, await held.laptop, await held.bob];
  for (const [who, r] of [['phone', p], ['laptop', l], ['bob', b]] as const) {
    t.same(eventsOf(r).map((e) => e.event_id), [sent.body.event_id], `${who} is answered with the one new event`);
    t.same(Object.keys(r.body.rooms.join), [key], `${who} hears of room A only`);
  }
  const strip = (e: Json): Json => ({ ...e, unsigned: { ...e.unsigned, transaction_id: undefined } });
  t.same(strip(eventsOf(p)[0] as Json), strip(eventsOf(b)[0] as Json), 'the event is rendered the same for every member');
  t.equal(eventsOf(p)[0]?.unsigned?.transaction_id, 't1', 'the sending device gets its transaction id');
  t.equal(eventsOf(l)[0]?.unsigned?.transaction_id, undefined, 'the same user\'s other device does not');
  t.equal(eventsOf(b)[0]?.unsigned?.transaction_id, undefined, 'another member does not');
  t.equal(b.body.rooms.join[key].unread_notifications.notification_count, 1, 'bob has the one message unread');
  t.equal(p.body.rooms.join[key].timeline.limited, false);
  // Carol, in room B only, is still held: room A's commit is not hers.
  await heldCount(s, 1);
  const c = await s.connect(carol.token);
  await c.request({ type: 'send', room: roomB, body: 'only b', clientMsgId: 'b1' });
  const woke = await carolHeld;
  t.same(Object.keys(woke.body.rooms.join), [`!r${roomB}:${NAME}`], 'carol is answered for room B only');
  t.same((woke.body.rooms.join[`!r${roomB}:${NAME}`].timeline.events as Json[]).map((e) => e.content.body), ['only b']);
});

t.test('members woken together each get their own heroes and unread counts, whatever their answers share', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const names = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
  const users = new Map<number, { id: string; token: string; password: string }>();
  for (const [i, n] of names.entries()) users.set(i, await s.user(n));
  const user = (i: number): { id: string; token: string; password: string } => users.get(i) ?? { id: '', token: '', password: '' };
  const room = await s.room('hall', names);
  const key = `!r${room}:${NAME}`;
  const sender = await s.connect(user(6).token);
  const seqs: number[] = [];
  for (let i = 1; i <= 3; i++) seqs.push(((await sender.request({ type: 'send', room, body: `before ${i}`, clientMsgId: `b${i}` })) as unknown as { seq: number }).seq);
  // u1 read the first message, u2 the second, u3 all three; u0, u4 and u5 none.
  for (const i of [1, 2, 3]) {
    const c = await s.connect(user(i).token);
    c.send({ type: 'read', room, seq: seqs[i - 1] });
    // Announced once durable: the reader's own socket hears its marker.
    const mine = (r: Json): boolean => r.user === user(i).id;
    await c.next((f) => (f.type === 'receipt' && mine(f)) || (f.type === 'receipts' && (f.reads as Json[]).some(mine)));
  }
  const woken = names.slice(0, 6);
  const tokens = await Promise.all(woken.map(async (n, i) => (await matrixLogin(s, n, user(i).password)).token));
  const raw = tokens.map(async (token) => {
    const since = await sinceOf(s, token);
    const res = await fetch(`${s.http}/_matrix/client/v3/sync?since=${since}&timeout=30000`, { headers: { Authorization: `Bearer ${token}` } });
    return res.text();
  });
  await heldCount(s, 6);
  await sender.request({ type: 'send', room, body: 'news', clientMsgId: 'n1' });
  const texts = await Promise.all(raw);
  const unreadNow = [4, 3, 2, 1, 4, 4];
  texts.forEach((text, i) => {
    const body = JSON.parse(text) as Json;
    t.equal(JSON.stringify(body), text, `u${i}'s answer is plain JSON of its body`);
    const joined = body.rooms.join[key];
    t.same((joined.timeline.events as Json[]).map((e) => e.content.body), ['news'], `u${i} gets the new message`);
    const heroes = names.filter((n) => n !== `u${i}`).slice(0, 5).map((n) => `@${n}:${NAME}`);
    t.same(joined.summary['m.heroes'], heroes, `u${i}'s heroes are the first five members but u${i}`);
    t.equal(joined.unread_notifications.notification_count, unreadNow[i], `u${i} has its own unread count`);
  });
});

t.test('an incremental /sync after many messages in a room gives the newest page, marked limited', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('busy', ['alice', 'bob']);
  const other = await s.room('elsewhere', ['alice']);
  const me = await matrixLogin(s, 'bob', bob.password);
  const filter = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 3 } } }));
  const since = (await mx(s, 'GET', `/_matrix/client/v3/sync?filter=${filter}`, { token: me.token })).body.next_batch as string;
  const c = await s.connect(alice.token);
  for (let i = 1; i <= 6; i++) await c.request({ type: 'send', room, body: `m${i}`, clientMsgId: `m${i}` });
  await c.request({ type: 'send', room: other, body: 'not for bob', clientMsgId: 'x1' });
  const next = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&filter=${filter}`, { token: me.token });
  const joined = next.body.rooms.join[`!r${room}:${NAME}`];
  t.same((joined.timeline.events as Json[]).map((e) => e.content.body), ['m4', 'm5', 'm6'], 'the newest page of the filter\'s limit');
  t.equal(joined.timeline.limited, true, 'with a gap before it');
  t.same(Object.keys(next.body.rooms.join), [`!r${room}:${NAME}`], 'a room bob is not in is not read for him');
  const after = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${next.body.next_batch as string}&filter=${filter}&timeout=50`, { token: me.token });
  t.same(after.body.rooms.join, {}, 'its token is past every row: nothing again');
  for (let i = 7; i <= 9; i++) await c.request({ type: 'send', room, body: `m${i}`, clientMsgId: `m${i}` });
  const exact = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${after.body.next_batch as string}&filter=${filter}`, { token: me.token });
  const whole = exact.body.rooms.join[`!r${room}:${NAME}`];
  t.same((whole.timeline.events as Json[]).map((e) => e.content.body), ['m7', 'm8', 'm9'], 'exactly the limit of new messages: all of them');
  t.equal(whole.timeline.limited, false, 'and no gap before them');
});

t.test('setting account data answers the user\'s held /sync on every device at once, and no one else\'s', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('plants', ['alice', 'bob']);
  const phone = await matrixLogin(s, 'alice', alice.password, 'PHONE');
  const laptop = await matrixLogin(s, 'alice', alice.password, 'LAPTOP');
  const bobMx = await matrixLogin(s, 'bob', bob.password);
  // Held for a minute: the 20 s bound of heldCount below fails long before a poll could time out instead.
  const longHold = async (token: string): Promise<Reply> =>
    mx(s, 'GET', `/_matrix/client/v3/sync?since=${await sinceOf(s, token)}&timeout=60000`, { token });
  const held = { phone: longHold(phone.token), laptop: longHold(laptop.token), bob: longHold(bobMx.token) };
  await heldCount(s, 3);
  const direct = { '@bob:roost.test': [`!r${room}:${NAME}`] };
  t.equal((await mx(s, 'PUT', `/_matrix/client/v3/user/@alice:${NAME}/account_data/m.direct`, { token: phone.token, body: direct })).status, 200);
  await heldCount(s, 1);
  for (const [who, r] of [['the device that set it', await held.phone], ['her other device', await held.laptop]] as const) {
    t.same(r.body.account_data.events, [{ type: 'm.direct', content: direct }], `${who} gets m.direct`);
  }
  // Room account data wakes the same way, inside the room's section.
  const again = longHold(laptop.token);
  await heldCount(s, 2);
  t.equal((await mx(s, 'PUT', `/_matrix/client/v3/user/@alice:${NAME}/rooms/!r${room}:${NAME}/account_data/m.tag`, { token: phone.token, body: { tags: {} } })).status, 200);
  await heldCount(s, 1);
  t.same((await again).body.rooms.join[`!r${room}:${NAME}`].account_data.events, [{ type: 'm.tag', content: { tags: {} } }]);
  // Bob's poll was not answered by alice's data: a message of his own room ends it, with no account data in it.
  const c = await s.connect(alice.token);
  await c.request({ type: 'send', room, body: 'hello', clientMsgId: 'h1' });
  const b = await held.bob;
  t.same(b.body.account_data.events, [], 'bob hears nothing of alice\'s account data');
  t.same((b.body.rooms.join[`!r${room}:${NAME}`].timeline.events as Json[]).map((e) => e.content.body), ['hello']);
});

t.test('a re-poll with the token just answered is held; one with an older token, or after a commit, reads what came', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('porch', ['alice', 'bob']);
  const other = await s.room('attic', ['alice', 'bob']);
  const me = await matrixLogin(s, 'bob', bob.password);
  const key = `!r${room}:${NAME}`;
  const bodies = (r: Reply, k = key): string[] => ((r.body.rooms.join[k]?.timeline.events ?? []) as Json[]).map((e) => e.content.body as string);
  const first = await sinceOf(s, me.token);
  const c = await s.connect(alice.token);
  await c.request({ type: 'send', room, body: 'one', clientMsgId: 'o1' });
  // The first token was answered, but a commit in bob's room was told after it: read, not held.
  const caught = await hold(s, me.token, first);
  t.same(bodies(caught), ['one'], 'the commit after the answer is read at once');
  const held = hold(s, me.token, caught.body.next_batch as string);
  await heldCount(s, 1);
  await c.request({ type: 'send', room: other, body: 'two', clientMsgId: 't1' });
  t.same(bodies(await held, `!r${other}:${NAME}`), ['two'], 'the held re-poll is woken by the next commit');
  // An older token than the last answer is read as before, not held.
  const again = await hold(s, me.token, first);
  t.same(bodies(again), ['one']);
  t.same(bodies(again, `!r${other}:${NAME}`), ['two']);
  // Bob leaves the attic from his native session: his re-poll with the token answered before it hears of it.
  const last = again.body.next_batch as string;
  const b = await s.connect(bob.token);
  t.match(await b.request({ type: 'leave', room: other }), { type: 'ok' });
  const left = await hold(s, me.token, last);
  t.ok(left.body.rooms.leave[`!r${other}:${NAME}`], 'the room he left is in the leave section');
  t.equal(s.server.matrixHeld(), 0, 'nothing left held');
});

t.test('a user added to a room from the command line while their /sync is held is answered with the room at once', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const bob = await s.user('bob');
  await s.user('alice');
  const room = await s.room('shed', ['alice']);
  const me = await matrixLogin(s, 'bob', bob.password);
  // Held for a minute: only the change can answer it within heldCount's bound.
  const held = mx(s, 'GET', `/_matrix/client/v3/sync?since=${await sinceOf(s, me.token)}&timeout=60000`, { token: me.token });
  await heldCount(s, 1);
  // As `roost room add` does it: straight to the data folder, with its join entry; the server hears of it from its events feed.
  s.admin((db) => addMember(db, room, 'bob'));
  await s.followed();
  await heldCount(s, 0);
  const r = await held;
  t.ok(r.body.rooms.join[`!r${room}:${NAME}`], 'the room he was added to is in the join section');
});

t.test('each answer\'s member count and heroes follow joins and leaves, made at either door or from the command line', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob, carol] = [await s.user('alice'), await s.user('bob'), await s.user('carol')];
  await s.user('dave');
  const room = await s.room('porch', ['alice', 'bob']);
  const key = `!r${room}:${NAME}`;
  const me = await matrixLogin(s, 'bob', bob.password);
  let since = await sinceOf(s, me.token);
  /** The summary of bob's next answer: read now, or after the next commit. */
  const summary = async (): Promise<{ count: number; heroes: string[] }> => {
    const r = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=20000`, { token: me.token });
    since = r.body.next_batch as string;
    const joined = r.body.rooms.join[key] as Json;
    return { count: joined.summary['m.joined_member_count'] as number, heroes: joined.summary['m.heroes'] as string[] };
  };
  const a = await s.connect(alice.token);
  let n = 0;
  const say = async (): Promise<void> => {
    n++;
    t.match(await a.request({ type: 'send', room, body: `m${n}`, clientMsgId: `m${n}` }), { type: 'ack' });
  };
  await say();
  t.same(await summary(), { count: 2, heroes: [`@alice:${NAME}`] }, 'two members; alice is bob\'s hero');
  s.admin((db) => addMember(db, room, 'carol'));
  await s.followed();
  t.same(await summary(), { count: 3, heroes: [`@alice:${NAME}`, `@carol:${NAME}`] }, 'carol, added from the command line, is counted');
  await say();
  t.same(await summary(), { count: 3, heroes: [`@alice:${NAME}`, `@carol:${NAME}`] }, 'and still in the next message\'s answer');
  const c = await s.connect(carol.token);
  t.match(await c.request({ type: 'leave', room }), { type: 'ok' });
  t.same(await summary(), { count: 2, heroes: [`@alice:${NAME}`] }, 'carol leaving at the native door is counted');
  // A join the store has without an entry in the room: only the next message's answer can show it.
  await s.addMember(room, 'dave');
  await say();
  t.same(await summary(), { count: 3, heroes: [`@alice:${NAME}`, `@dave:${NAME}`] }, 'a join with no entry of its own is counted in the next answer');
});
