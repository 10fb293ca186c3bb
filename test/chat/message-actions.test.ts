import t from 'tap';
import { TestClient, type Frame } from '../helpers/client.js';
import { removeMember } from '../../src/store/admin/admin.js';
import { sleep, startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

interface Setup { srv: TestServer; alice: TestUser; bob: TestUser; carol: TestUser; admin: TestUser; room: string; a: TestClient; b: TestClient }

async function setup(t: { teardown(fn: () => unknown): void }, overrides: Record<string, string | number | boolean> = {}): Promise<Setup> {
  const srv = await startTestServer({ framesPerSecond: 0, userFramesPerSecond: 0, ...overrides });
  t.teardown(() => srv.close());
  const alice = await srv.user('alice');
  const bob = await srv.user('bob');
  const carol = await srv.user('carol');
  const admin = await srv.user('boss', 'admin');
  await srv.user('outsider');
  const room = await srv.room('general', ['alice', 'bob', 'boss']);
  const a = await TestClient.connect(srv.ws, alice.token);
  const b = await TestClient.connect(srv.ws, bob.token);
  t.teardown(() => {
    a.socket.terminate();
    b.socket.terminate();
  });
  return { srv, alice, bob, carol, admin, room, a, b };
}

let n = 0;
const send = (c: TestClient, room: string, body: string, extra: Record<string, unknown> = {}): Promise<Frame> =>
  c.request({ type: 'send', room, body, clientMsgId: `m${++n}`, ...extra });

t.test('the sender edits within the window: members get `edited`, history shows the new text', async (t) => {
  const { room, a, b } = await setup(t);
  t.match(await a.request({ type: 'rooms' }), { editWindowSeconds: 900 }, 'the default window is 15 minutes');
  const ack = await send(a, room, 'teh meeting');
  const ok = await a.request({ type: 'edit', room, seq: ack.seq, body: 'the meeting' });
  t.match(ok, { type: 'ok', cseq: 1 });
  const edited = await b.next((f) => f.type === 'edited');
  t.match(edited, { room, seq: ack.seq, body: 'the meeting', cseq: 1 });
  t.type(edited.editedAt, 'number');
  const page = await b.request({ type: 'history', room });
  const messages = page.messages as Frame[];
  t.match(messages[0], { seq: ack.seq, body: 'the meeting', editedAt: edited.editedAt });
  const hits = await b.request({ type: 'search', query: 'teh' });
  t.same(hits.hits, [], 'the old text is no longer searchable');
  t.equal(((await b.request({ type: 'search', query: 'the meeting' })).hits as Frame[]).length, 1);
});

t.test('edits are refused after the edit window, and to anyone but the sender', async (t) => {
  const { room, a, b } = await setup(t, { editWindowSeconds: 0 });
  t.match(await a.request({ type: 'rooms' }), { editWindowSeconds: 0 }, 'the rooms reply tells clients the window, so they can hide Edit');
  const ack = await send(a, room, 'final');
  await sleep(5);
  t.match(await a.request({ type: 'edit', room, seq: ack.seq, body: 'changed' }), { type: 'error', code: 'forbidden' });
  t.match(await b.request({ type: 'edit', room, seq: ack.seq, body: 'hijack' }), { type: 'error', code: 'forbidden' });
  t.match(await a.request({ type: 'edit', room, seq: 999, body: 'x' }), { type: 'error', code: 'not_found' });
});

t.test('delete: a member may not delete another\'s message, the sender and an admin may', async (t) => {
  const { srv, admin, room, a, b } = await setup(t);
  const first = await send(a, room, 'oops');
  const second = await send(b, room, 'bob says');
  t.match(await b.request({ type: 'delete', room, seq: first.seq }), { type: 'error', code: 'forbidden' });
  t.match(await a.request({ type: 'delete', room, seq: first.seq }), { type: 'ok' });
  t.match(await b.next((f) => f.type === 'deleted'), { room, seq: first.seq });
  const boss = await TestClient.connect(srv.ws, admin.token);
  t.teardown(() => boss.socket.terminate());
  t.match(await boss.request({ type: 'delete', room, seq: second.seq }), { type: 'ok' });
  t.match(await a.request({ type: 'delete', room, seq: first.seq }), { type: 'ok' }, 'deleting twice is not an error');
  const page = await a.request({ type: 'history', room });
  t.match(page.messages, [{ seq: first.seq, deleted: true, body: '' }, { seq: second.seq, deleted: true, body: '' }], 'tombstones keep seqs gap-free');
  t.match(await a.request({ type: 'edit', room, seq: first.seq, body: 'back' }), { type: 'error', code: 'not_found' });
  t.match(await a.request({ type: 'react', room, seq: first.seq, emoji: '👍' }), { type: 'error', code: 'not_found' });
});

t.test('a reconnecting client learns of edits, deletions and reactions through sync changesSince', async (t) => {
  const { srv, alice, bob, room, a, b } = await setup(t);
  const m1 = await send(a, room, 'one');
  const m2 = await send(a, room, 'two');
  const rooms = await a.request({ type: 'rooms' });
  const cursor = ((rooms.rooms as Frame[])[0]?.lastCseq as number | undefined) ?? 0;
  t.equal(cursor, 0, 'absent: no change yet');
  await a.close();
  await a.closed;
  t.match(await b.request({ type: 'react', room, seq: m1.seq, emoji: '🎉' }), { type: 'ok', cseq: 1 });
  const a2 = await TestClient.connect(srv.ws, alice.token);
  t.teardown(() => a2.socket.terminate());
  t.match(await a2.request({ type: 'edit', room, seq: m1.seq, body: 'one, edited' }), { cseq: 2 });
  await a2.close();
  t.match(await b.request({ type: 'react', room, seq: m1.seq, emoji: '🎉', on: false }), { cseq: 3 });
  const a3 = await TestClient.connect(srv.ws, alice.token);
  t.teardown(() => a3.socket.terminate());
  t.match(await a3.request({ type: 'delete', room, seq: m2.seq }), { cseq: 4 });
  const synced = await a3.request({ type: 'sync', since: { [room]: m2.seq }, changesSince: { [room]: cursor } });
  const r = (synced.rooms as Frame[])[0] as Frame;
  t.same(r.messages, []);
  t.match(r.changes, [
    { cseq: 1, type: 'reaction', seq: m1.seq, emoji: '🎉', user: bob.id, on: true },
    { cseq: 2, type: 'edited', seq: m1.seq, body: 'one, edited' },
    { cseq: 3, type: 'reaction', on: false },
    { cseq: 4, type: 'deleted', seq: m2.seq },
  ]);
  t.equal(r.lastCseq, 4);
  t.equal(r.moreChanges, false);
  const again = await a3.request({ type: 'sync', since: {}, changesSince: { [room]: 2 }, limit: 1 });
  t.match((again.rooms as Frame[])[0], { changes: [{ cseq: 3 }], moreChanges: true, lastCseq: 3, messages: [] });
});

t.test('reactions are idempotent: one per person per emoji per message, counted with `me` per viewer', async (t) => {
  const { srv, bob, room, a, b } = await setup(t);
  const m = await send(a, room, 'lunch?');
  t.match(await b.request({ type: 'react', room, seq: m.seq, emoji: '👍' }), { type: 'ok', cseq: 1 });
  t.match(await b.request({ type: 'react', room, seq: m.seq, emoji: '👍' }), { type: 'ok', cseq: 1 }, 'a repeat changes nothing');
  t.match(await a.request({ type: 'react', room, seq: m.seq, emoji: '👍', on: true }), { cseq: 2 });
  await sleep(100);
  t.equal(a.frames.filter((f) => f.type === 'reaction').length, 2, 'a repeat is not broadcast');
  const forBob = (await b.request({ type: 'history', room })).messages as Frame[];
  t.same(forBob[0]?.reactions, [{ emoji: '👍', count: 2, me: true }]);
  t.match(await a.request({ type: 'react', room, seq: m.seq, emoji: '👍', on: false }), { cseq: 3 });
  t.match(await a.request({ type: 'react', room, seq: m.seq, emoji: '👍', on: false }), { cseq: 3 });
  const forAlice = (await a.request({ type: 'history', room })).messages as Frame[];
  t.same(forAlice[0]?.reactions, [{ emoji: '👍', count: 1, me: false }]);
  t.match(await b.request({ type: 'react', room, seq: m.seq, emoji: 'two words' }), { type: 'error', code: 'bad_request' });
  const http = await fetch(`${srv.http}/api/v1/rooms/${room}/messages`, { headers: { Authorization: `Bearer ${bob.token}` } });
  t.same(((await http.json()) as { messages: Frame[] }).messages[0]?.reactions, [{ emoji: '👍', count: 1, me: true }]);
});

t.test('replies carry replyTo, which must name a message of the same room', async (t) => {
  const { srv, room, a, b } = await setup(t);
  const q = await send(a, room, 'who is in?');
  await send(b, room, 'me', { replyTo: q.seq });
  t.match(await a.next((f) => f.type === 'message' && f.body === 'me'), { replyTo: q.seq });
  t.match(await b.request({ type: 'send', room, body: 'x', clientMsgId: 'r-missing', replyTo: 99 }), { type: 'error', code: 'not_found' });
  const other = await srv.room('other', ['alice']);
  t.match(await a.request({ type: 'send', room: other, body: 'x', clientMsgId: 'r-other', replyTo: q.seq }), { type: 'error', code: 'not_found' });
  t.match(((await b.request({ type: 'history', room })).messages as Frame[])[1], { body: 'me', replyTo: q.seq });
});

t.test('mentions: known members are resolved and counted as unread mentions; unknown names and non-members are not', async (t) => {
  const { bob, room, a, b } = await setup(t);
  await send(a, room, '@Bob. can you ask @carol and @nobody and @boss? mail bob@example.com');
  const msg = await b.next((f) => f.type === 'message');
  const ids = msg.mentions as string[];
  t.equal(ids.length, 2, 'bob and boss; carol is not in the room, nobody is nobody, an address is not a mention');
  t.ok(ids.includes(bob.id));
  await send(a, room, 'no mention here');
  const rooms = (await b.request({ type: 'rooms' })).rooms as Frame[];
  t.match(rooms[0], { unread: 2, mentions: 1 });
  t.notOk('muted' in (rooms[0] ?? {}), 'defaults are left out');
  b.send({ type: 'read', room, seq: msg.seq as number });
  await b.next((f) => f.type === 'receipt');
  const after = ((await b.request({ type: 'rooms' })).rooms as Frame[])[0];
  t.match(after, { unread: 1 });
  t.notOk('mentions' in (after ?? {}), 'no unread mention left');
});

t.test('a muted room is not pushed, except a message that mentions the muted member', async (t) => {
  const { room, a, b } = await setup(t);
  t.match(await b.request({ type: 'notify', room, muted: true, level: 'mentions' }), { type: 'ok' });
  await send(a, room, 'chatter');
  const pinged = await send(a, room, 'hey @bob');
  const got = await b.next((f) => f.type === 'message');
  t.equal(got.seq, pinged.seq, 'only the mention arrived');
  t.match(((await b.request({ type: 'rooms' })).rooms as Frame[])[0], { muted: true, notify: 'mentions', unread: 2 });
  t.match(await b.request({ type: 'notify', room, muted: false }), { type: 'ok' });
  const later = await send(a, room, 'back to normal');
  t.match(await b.next((f) => f.type === 'message'), { seq: later.seq });
  t.match(await b.request({ type: 'notify', room: '9999', muted: true }), { type: 'error', code: 'forbidden' });
});

t.test('an edit re-reads mentions: a name corrected in counts, a name edited out does not; muted members still hear of it', async (t) => {
  const { srv, bob, admin, room, a, b } = await setup(t);
  t.match(await b.request({ type: 'notify', room, muted: true }), { type: 'ok' });
  const typo = await send(a, room, 'ask @bbo and @boss about friday');
  const fixed = await a.request({ type: 'edit', room, seq: typo.seq, body: 'ask @bob about friday' });
  const edited = await b.next((f) => f.type === 'edited');
  t.match(edited, { seq: typo.seq, cseq: fixed.cseq, mentions: [bob.id] }, 'bob muted the room, yet the edit that names him reaches him');
  t.match(((await b.request({ type: 'rooms' })).rooms as Frame[])[0], { unread: 1, mentions: 1 }, 'an unread mention of bob');
  const boss = await srv.connect(admin.token);
  t.notOk('mentions' in (((await boss.request({ type: 'rooms' })).rooms as Frame[])[0] ?? {}), 'boss, edited out, is no longer mentioned');
  const [shown] = (await b.request({ type: 'history', room })).messages as Frame[];
  t.match(shown, { body: 'ask @bob about friday', mentions: [bob.id] }, 'history shows the edited text\'s mentions');
  const synced = await b.request({ type: 'sync', since: {}, changesSince: { [room]: 0 } });
  t.match((synced.rooms as Frame[])[0], { changes: [{ type: 'edited', seq: typo.seq, mentions: [bob.id] }] }, 'and so does a sync of changes');

  await a.request({ type: 'edit', room, seq: typo.seq, body: 'ask about friday' });
  t.notOk('mentions' in (((await b.request({ type: 'rooms' })).rooms as Frame[])[0] ?? {}), 'edited out again: no mention left');
  const [plain] = (await b.request({ type: 'history', room })).messages as Frame[];
  t.notOk('mentions' in (plain ?? {}), 'and history lists none');
});

t.test('a member removed and added again starts unmuted, as the store says', async (t) => {
  const { srv, room, a, b, bob } = await setup(t);
  t.match(await b.request({ type: 'notify', room, muted: true }), { type: 'ok' });
  srv.admin((db) => removeMember(db, room, 'bob'));
  await srv.followed();
  await srv.addMember(room, 'bob');
  const again = await srv.connect(bob.token);
  t.notOk(((await again.request({ type: 'rooms' })).rooms as Frame[])[0]?.muted, 'the store has him unmuted');
  const hello = await send(a, room, 'welcome back');
  t.match(await again.next((f) => f.type === 'message'), { seq: hello.seq }, 'a new socket of his gets the room live');
  t.match(await b.next((f) => f.type === 'message'), { seq: hello.seq }, 'and so does the one that was open all along');
});
