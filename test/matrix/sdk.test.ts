/**
 * matrix-js-sdk (the published SDK, as bots and Element use it) drives two
 * and three users against a real Roost: login, sync, rooms, messages and
 * their changes, receipts, typing, and the native door on the other side.
 */
import t from 'tap';
import { ClientEvent, createClient, Direction, EventType, MsgType, RelationType, type MatrixClient, type Room } from 'matrix-js-sdk';
import type { Logger } from 'matrix-js-sdk/lib/logger.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';
import { within } from '../helpers/deadline.js';

const NAME = 'roost.test';
const quiet = (): undefined => undefined;
/** The SDK logs every sync step; the test's own assertions say what matters. */
const silent: Logger = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet, getChild: () => silent };

// Evidence, not caution: on Node 20 the SDK's sends fail with "Promise.withResolvers is not a function" (Node 22 API).
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const skip = NODE_MAJOR < 22 ? `matrix-js-sdk 43 needs Node >= 22 (it calls Promise.withResolvers), this is Node ${process.versions.node}; the .ci/node22 leg runs this file` : false;

// matrix-js-sdk arms a timer for every request's local timeout (its own ponyfill of
// AbortSignal.timeout, not unref'd) and never clears it: 110 s for each /sync. Once every
// test here has ended and its clients and server are closed, nothing else is left to wait for,
// and the process would otherwise sit out those timers. tap has printed its results by then,
// and the exit code it set stands.
t.teardown(() => setImmediate(() => process.exit()));

/** Polls `check` until it holds (at most 30 s), then fails naming `what`. */
async function until<T>(what: string, check: () => T | undefined | false | null): Promise<T> {
  const end = Date.now() + 30_000;
  for (let i = 0; i < 3000; i++) {
    const v = check();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`waited 30 s for ${what}`);
}

async function sdkUser(t: { teardown(fn: () => void): void }, s: TestServer, u: TestUser): Promise<MatrixClient> {
  const login = createClient({ baseUrl: s.http, logger: silent });
  const res = await login.loginWithPassword(u.name, u.password);
  const client = createClient({ baseUrl: s.http, accessToken: res.access_token, userId: res.user_id, deviceId: res.device_id, logger: silent });
  t.teardown(() => client.stopClient());
  const ready = new Promise<void>((resolve) => client.on(ClientEvent.Sync, (state) => { if (state === 'PREPARED') resolve(); }));
  await client.startClient({ initialSyncLimit: 20 });
  await within(ready, 30_000, () => { throw new Error(`${u.name}'s first sync did not finish within 30 s`); });
  return client;
}

const bodies = (room: Room | null): string[] =>
  (room?.getLiveTimeline().getEvents() ?? []).filter((e) => e.getType() === 'm.room.message').map((e) => String(e.getContent().body));

const sdkError = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return String((err as { errcode?: string }).errcode ?? err);
  }
};

t.test('two and three users through matrix-js-sdk: rooms, messages, edits, reactions, replies, receipts, typing', { skip }, async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, receiptWindowMs: 0 });
  t.teardown(() => s.close());
  const [a, b, c] = [await s.user('alice'), await s.user('bob'), await s.user('carol')];
  const alice = await sdkUser(t, s, a);
  const bob = await sdkUser(t, s, b);
  const carol = await sdkUser(t, s, c);

  const { room_id: roomId } = await alice.createRoom({ name: 'garden', topic: 'plants', invite: [`@bob:${NAME}`] });
  await until('bob to see the invitation', () => bob.getRoom(roomId)?.getMyMembership() === 'invite');
  await bob.joinRoom(roomId);
  await until('alice to see bob join', () => alice.getRoom(roomId)?.getMember(`@bob:${NAME}`)?.membership === 'join');
  t.equal(alice.getRoom(roomId)?.name, 'garden', 'the room name is state');

  const sent = await alice.sendTextMessage(roomId, 'hello bob');
  await until('bob to receive the message', () => bodies(bob.getRoom(roomId)).includes('hello bob'));

  // A read receipt (before bob sends anything: a sender's own message moves their marker past it).
  const seen = await until('bob to hold alice\'s message', () => bob.getRoom(roomId)?.findEventById(sent.event_id));
  await bob.sendReadReceipt(seen);
  await until('alice to see bob\'s receipt', () => {
    const room = alice.getRoom(roomId);
    const ev = room?.findEventById(sent.event_id);
    return ev !== undefined && room?.getReceiptsForEvent(ev).some((x) => x.userId === `@bob:${NAME}` && x.type === 'm.read');
  });

  // A reply from bob, linked to alice's message.
  await bob.sendEvent(roomId, EventType.RoomMessage, { msgtype: MsgType.Text, body: 'hi alice', 'm.relates_to': { 'm.in_reply_to': { event_id: sent.event_id } } });
  const reply = await until('alice to receive the reply', () => alice.getRoom(roomId)?.getLiveTimeline().getEvents().find((e) => e.getContent().body === 'hi alice'));
  t.equal(reply.replyEventId, sent.event_id, 'the reply points at the original');

  // An edit, then a reaction and its redaction.
  await alice.sendEvent(roomId, EventType.RoomMessage, {
    msgtype: MsgType.Text, body: '* hello bob!', 'm.new_content': { msgtype: MsgType.Text, body: 'hello bob!' }, 'm.relates_to': { rel_type: RelationType.Replace, event_id: sent.event_id },
  } as never);
  await until('bob to see the edit', () => bob.getRoom(roomId)?.findEventById(sent.event_id)?.getContent().body === 'hello bob!');
  const reaction = await bob.sendEvent(roomId, EventType.Reaction, { 'm.relates_to': { rel_type: RelationType.Annotation, event_id: sent.event_id, key: '👍' } });
  await until('alice to see the reaction', () => alice.getRoom(roomId)?.getLiveTimeline().getEvents().some((e) => e.getType() === 'm.reaction' && e.getId() === reaction.event_id));
  await bob.redactEvent(roomId, reaction.event_id);
  await until('alice to see the reaction taken back', () => alice.getRoom(roomId)?.findEventById(reaction.event_id)?.isRedacted());

  // Typing.
  await bob.sendTyping(roomId, true, 20_000);
  await until('alice to see bob typing', () => alice.getRoom(roomId)?.getMember(`@bob:${NAME}`)?.typing === true);

  // A redaction of a message.
  const gone = await alice.sendTextMessage(roomId, 'oops');
  await alice.redactEvent(roomId, gone.event_id);
  await until('bob to see the message redacted', () => bob.getRoom(roomId)?.findEventById(gone.event_id)?.isRedacted());

  // Carol is not a member: refused, and nothing of the room reaches her.
  t.equal(await sdkError(carol.sendTextMessage(roomId, 'let me in')), 'M_FORBIDDEN', 'a non-member cannot send');
  t.equal(await sdkError(carol.createMessagesRequest(roomId, null, 10, Direction.Backward)), 'M_FORBIDDEN', 'a non-member cannot read');
  t.equal(carol.getRoom(roomId), null, 'carol\'s client knows nothing of the room');

  // A direct room: carol is in at once; alice keeps it in m.direct.
  const dm = await alice.createRoom({ is_direct: true, invite: [`@carol:${NAME}`] });
  await until('carol to be in the direct room', () => carol.getRoom(dm.room_id)?.getMyMembership() === 'join');
  await alice.setAccountData(EventType.Direct, { [`@carol:${NAME}`]: [dm.room_id] });
  await until('alice\'s m.direct to come back in sync', () => (alice.getAccountData(EventType.Direct)?.getContent() as Record<string, string[]> | undefined)?.[`@carol:${NAME}`]?.[0] === dm.room_id);
  await carol.sendTextMessage(dm.room_id, 'psst');
  await until('alice to get the direct message', () => bodies(alice.getRoom(dm.room_id)).includes('psst'));
});

t.test('scrollback pages back through history', { skip }, async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const a = await s.user('alice');
  const room = await s.room('archive', ['alice']);
  const ws = await s.connect(a.token);
  for (let i = 1; i <= 30; i++) await ws.request({ type: 'send', room, body: `m${i}`, clientMsgId: `c${i}` });
  const alice = await sdkUser(t, s, a);
  const r = await until('the room in alice\'s client', () => alice.getRoom(`!r${room}:${NAME}`));
  t.ok(bodies(r).length <= 20, 'the initial sync holds the last page only');
  for (let i = 0; i < 5 && !bodies(r).includes('m1'); i++) await alice.scrollback(r, 10);
  t.same(bodies(r), Array.from({ length: 30 }, (_, i) => `m${i + 1}`), 'scrollback reached the first message, in order');
  const page = await alice.createMessagesRequest(r.roomId, null, 5, Direction.Backward);
  t.same(page.chunk.map((e) => e.content.body), ['m30', 'm29', 'm28', 'm27', 'm26'], 'messages, newest first');
});

t.test('native and Matrix clients see each other', { skip }, async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [a, b] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('lounge', ['alice', 'bob']);
  const native = await s.connect(a.token);
  const bob = await sdkUser(t, s, b);
  await native.request({ type: 'send', room, body: 'from the web client', clientMsgId: 'n1' });
  await until('the SDK to receive the native message', () => bodies(bob.getRoom(`!r${room}:${NAME}`)).includes('from the web client'));
  const got = native.next((f) => f.type === 'message' && f.body === 'from the Matrix app');
  await bob.sendTextMessage(`!r${room}:${NAME}`, 'from the Matrix app');
  const frame = await got;
  t.equal(frame.from, b.id, 'the native client gets the Matrix message as bob\'s');
  const typing = native.next((f) => f.type === 'typing');
  await bob.sendTyping(`!r${room}:${NAME}`, true, 10_000);
  t.equal((await typing).user, b.id, 'Matrix typing reaches the native client');
});

t.test('media and search through matrix-js-sdk: a file uploaded, sent, downloaded by the other member; search in Chinese', { skip }, async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [a, b] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('notes', ['alice', 'bob']);
  const roomId = `!r${room}:${NAME}`;
  const alice = await sdkUser(t, s, a);
  const bob = await sdkUser(t, s, b);
  await until('the room in alice\'s client', () => alice.getRoom(roomId));
  const bytes = Buffer.from('the boiler service is on Tuesday\n'.repeat(64));
  const up = await alice.uploadContent(bytes, { name: 'boiler.txt', type: 'text/plain' });
  t.match(up.content_uri, /^mxc:\/\/roost\.test\//, 'an mxc url of this server');
  await alice.sendMessage(roomId, { msgtype: MsgType.File, body: 'boiler.txt', url: up.content_uri, info: { mimetype: 'text/plain', size: bytes.length } });
  const ev = await until('bob to receive the file', () => bob.getRoom(roomId)?.getLiveTimeline().getEvents().find((e) => e.getContent().msgtype === 'm.file'));
  const url = bob.mxcUrlToHttp(String(ev.getContent().url), undefined, undefined, undefined, false, true, true);
  t.ok(url !== null, 'the SDK makes an authenticated media url');
  const res = await fetch(url ?? '', { headers: { Authorization: `Bearer ${bob.getAccessToken() ?? ''}` }, signal: AbortSignal.timeout(30_000) });
  t.equal(res.status, 200);
  t.same(Buffer.from(await res.arrayBuffer()), bytes, 'bob downloads the bytes alice uploaded');

  await alice.sendTextMessage(roomId, '明天下午讨论暖气的问题');
  await until('bob to receive the Chinese message', () => bodies(bob.getRoom(roomId)).includes('明天下午讨论暖气的问题'));
  const found = await bob.search({ body: { search_categories: { room_events: { search_term: '暖气' } } } });
  t.same(found.search_categories.room_events.results?.map((r) => r.result.content.body), ['明天下午讨论暖气的问题'], 'search finds a Chinese word inside a sentence');
});
