import t from 'tap';
import { actionWiring, FakeWriter } from './wiring.js';
import { Membership } from '../../src/chat/membership.js';
import type { Fanout, HistorySource, Peer, SearchSource } from '../../src/chat/ports.js';
import { MESSAGE_WAIT_MS, unrefTimer } from '../../src/chat/read-receipts.js';
import { ChatService } from '../../src/chat/service.js';
import { ManualWindow } from '../helpers/manual-window.js';

/** Small fakes: no network, no disk, and a window that ends only when the test says so. */
class FakePeer implements Peer {
  readonly sent: Array<Record<string, unknown>> = [];
  constructor(readonly userId: number) {}
  send(frame: string): void { this.sent.push(JSON.parse(frame) as Record<string, unknown>); }
  publishOthers(): void { throw new Error('receipts go to the whole room'); }
}


class FakeFanout implements Fanout {
  readonly published: Array<[string, Record<string, unknown>]> = [];
  publish(topic: string, frame: string): void { this.published.push([topic, JSON.parse(frame) as Record<string, unknown>]); }
  toUser(): void { throw new Error('receipts go to the room topic'); }
}

const unused = (): never => { throw new Error('not used by reads'); };
const history: HistorySource = { history: unused, since: unused, rooms: unused };
const search: SearchSource = { search: unused };

const ALICE = 1, BOB = 2, CAROL = 3, DAVE = 4;
const ROOM = 10, OTHER = 11;

function setup() {
  const membership = Membership.from([
    { room_id: ROOM, user_id: ALICE }, { room_id: ROOM, user_id: BOB }, { room_id: ROOM, user_id: CAROL },
    { room_id: OTHER, user_id: ALICE }, { room_id: OTHER, user_id: BOB },
  ]);
  const writer = new FakeWriter();
  const fanout = new FakeFanout();
  const window = new ManualWindow();
  const chat = new ChatService({
    history, writer, fanout, membership, search, ...actionWiring(writer, fanout, membership),
    limits: { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 10, maxSearchLimit: 50 },
    maxSyncTotal: 1_000, receiptWindowMs: 200, receiptTimer: window,
  });
  return { chat, writer, fanout, window };
}

const read = (room: number, seq: number) => ({ type: 'read' as const, room: String(room), seq });
const send = (room: number, n: number) => ({ type: 'send' as const, id: `s${n}`, room: String(room), body: `hello ${n}`, clientMsgId: `c${n}` });

t.test('several members reading within one window: one write each, in one go, and one receipts frame carrying all their markers', async (t) => {
  const s = setup();
  const peers = [new FakePeer(ALICE), new FakePeer(BOB), new FakePeer(CAROL)];
  for (const p of peers) s.chat.handle(p, read(ROOM, 7));
  t.same(s.writer.ops, [], 'nothing is written before the window ends');
  t.equal(s.window.armed, 1, 'one timer for the window, not one per read');
  s.window.end();
  t.same(s.writer.groups, [[ALICE, BOB, CAROL].map((user) => ({ k: 'read', room: ROOM, user, seq: 7 }))], 'submitted together: they share a commit');
  for (let i = 0; i < peers.length - 1; i++) s.writer.complete({ ok: true, seq: 7, moved: true });
  t.same(s.fanout.published, [], 'nothing is announced before every write of the window is durable');
  s.writer.complete({ ok: true, seq: 7, moved: true });
  t.same(s.fanout.published, [['room:10', {
    type: 'receipts', room: '10', reads: [{ user: '1', seq: 7 }, { user: '2', seq: 7 }, { user: '3', seq: 7 }],
  }]]);
  for (const p of peers) t.same(p.sent, [], 'read has no reply');
  s.window.end();
  t.equal(s.fanout.published.length, 1, 'a flushed window is not published again');
});

t.test('rooms whose windows opened together end together: one frame per room', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  const bob = new FakePeer(BOB);
  s.chat.handle(alice, read(ROOM, 3));
  s.chat.handle(bob, read(ROOM, 4));
  s.chat.handle(alice, read(OTHER, 5));
  t.equal(s.window.armed, 1);
  s.window.end();
  for (const seq of [3, 4, 5]) s.writer.complete({ ok: true, seq, moved: true });
  t.same(s.fanout.published, [
    ['room:10', { type: 'receipts', room: '10', reads: [{ user: '1', seq: 3 }, { user: '2', seq: 4 }] }],
    ['room:11', { type: 'receipt', room: '11', user: '1', seq: 5 }],
  ], 'a marker alone in its room keeps the v1 receipt frame');
  t.equal(s.window.pending, false, 'no timer runs while nothing waits');
});

t.test('each room\'s window opens with its first read, so rooms are announced at different moments, not in one burst', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  const bob = new FakePeer(BOB);
  s.chat.handle(alice, read(ROOM, 3));
  s.window.advance(50);
  s.chat.handle(bob, read(OTHER, 5));
  s.window.advance(100);
  s.chat.handle(bob, read(ROOM, 4));
  t.equal(s.window.armed, 1, 'one timer, for the earliest window');
  t.equal(s.window.dueIn, 200 + MESSAGE_WAIT_MS - 150, 'set for the latest end of the first room\'s window (no message came)');
  s.window.end();
  t.same(s.writer.ops, [{ k: 'read', room: ROOM, user: ALICE, seq: 3 }, { k: 'read', room: ROOM, user: BOB, seq: 4 }],
    'the first room\'s window ends with bob\'s later read in it');
  s.writer.complete({ ok: true, seq: 3, moved: true });
  s.writer.complete({ ok: true, seq: 4, moved: true });
  t.same(s.fanout.published, [['room:10', { type: 'receipts', room: '10', reads: [{ user: '1', seq: 3 }, { user: '2', seq: 4 }] }]]);
  t.equal(s.window.dueIn, 50, 'the timer is set again, for the other room\'s window');
  s.window.end();
  t.same(s.writer.ops.slice(2), [{ k: 'read', room: OTHER, user: BOB, seq: 5 }]);
  s.writer.complete({ ok: true, seq: 5, moved: true });
  t.same(s.fanout.published[1], ['room:11', { type: 'receipt', room: '11', user: '2', seq: 5 }]);
  t.equal(s.window.pending, false, 'no timer runs while nothing waits');
  t.equal(s.window.armed, 2);
});

t.test('an ended window travels with the room\'s next message: its writes join the message\'s commit, its frame goes with the message', async (t) => {
  const s = setup();
  const bob = new FakePeer(BOB);
  const carol = new FakePeer(CAROL);
  const alice = new FakePeer(ALICE);
  s.chat.handle(bob, read(ROOM, 3));
  s.window.advance(100);
  s.chat.handle(carol, read(ROOM, 3));
  s.chat.handle(alice, send(ROOM, 1));
  t.same(s.writer.groups, [[{ k: 'send', room: ROOM, user: ALICE, clientMsgId: 'c1', body: 'hello 1', replyTo: undefined, attachments: undefined }]],
    'a message within the window leaves it open');
  s.window.advance(100);
  s.chat.handle(alice, send(OTHER, 2));
  t.equal(s.writer.groups.length, 2);
  t.same(s.writer.groups[1]?.map((op) => op.k), ['send'], 'a message to another room does not take this room\'s receipts');
  s.chat.handle(alice, send(ROOM, 3));
  t.same(s.writer.groups[2]?.map((op) => (op.k === 'read' ? `read ${op.user}` : op.k)), [`read ${BOB}`, `read ${CAROL}`, 'send'],
    'the ended window\'s reads first, then the message: one commit');
  s.writer.complete({ ok: true, seq: 1, msgId: 1, ts: 1, duplicate: false, frame: '{"type":"message","seq":1}' });
  s.writer.complete({ ok: true, seq: 1, msgId: 2, ts: 1, duplicate: false, frame: '{"type":"message","seq":1}' });
  s.writer.complete({ ok: true, seq: 3, moved: true });
  s.writer.complete({ ok: true, seq: 3, moved: true });
  s.writer.complete({ ok: true, seq: 2, msgId: 3, ts: 1, duplicate: false, frame: '{"type":"message","seq":2}' });
  t.same(s.fanout.published.slice(-2), [
    ['room:10', { type: 'receipts', room: '10', reads: [{ user: '2', seq: 3 }, { user: '3', seq: 3 }] }],
    ['room:10', { type: 'message', seq: 2 }],
  ], 'published one after the other, as the commit\'s results are delivered');
  const writes = s.writer.ops.length;
  s.window.end();
  t.equal(s.writer.ops.length, writes, 'the timer finds nothing left to write');
  t.equal(s.fanout.published.length, 4, "and nothing is published twice");
});

t.test('a quiet room\'s ended window is written and announced once it has waited MESSAGE_WAIT_MS for a message', async (t) => {
  const s = setup();
  s.chat.handle(new FakePeer(BOB), read(ROOM, 4));
  t.equal(s.window.dueIn, 200 + MESSAGE_WAIT_MS);
  s.window.advance(200 + MESSAGE_WAIT_MS - 1);
  t.same(s.writer.ops, [], 'still waiting for a message');
  s.window.end();
  t.same(s.writer.groups, [[{ k: 'read', room: ROOM, user: BOB, seq: 4 }]]);
  s.writer.complete({ ok: true, seq: 4, moved: true });
  t.same(s.fanout.published, [['room:10', { type: 'receipt', room: '10', user: '2', seq: 4 }]]);
});

t.test('a read that does not move the marker publishes nothing', async (t) => {
  const s = setup();
  const bob = new FakePeer(BOB);
  s.chat.handle(bob, read(ROOM, 1));
  s.window.end();
  s.writer.complete({ ok: true, seq: 3, moved: false });
  t.same(s.fanout.published, []);
  t.same(bob.sent, []);
});

t.test('reads of one (room, user) within a window cost one write, with the latest seq, from any of the user\'s sockets', async (t) => {
  const s = setup();
  const bob = new FakePeer(BOB);
  const bobPhone = new FakePeer(BOB);
  for (let seq = 1; seq <= 20; seq++) s.chat.handle(seq % 2 === 0 ? bob : bobPhone, read(ROOM, seq));
  s.chat.handle(bob, read(ROOM, 5));
  s.window.end();
  t.same(s.writer.ops, [{ k: 'read', room: ROOM, user: BOB, seq: 20 }], '21 reads, one write');
  s.writer.complete({ ok: true, seq: 20, moved: true });
  t.same(s.fanout.published, [['room:10', { type: 'receipt', room: '10', user: '2', seq: 20 }]], 'latest seq wins');
  t.same(bob.sent, []);
  t.same(bobPhone.sent, []);
});

t.test('a non-member\'s read is refused forbidden and writes nothing', async (t) => {
  const s = setup();
  const dave = new FakePeer(DAVE);
  s.chat.handle(dave, { ...read(ROOM, 1), id: 'r1' });
  s.chat.handle(dave, { type: 'read', id: 'r2', room: 'general', seq: 1 });
  t.match(dave.sent, [{ type: 'error', id: 'r1', code: 'forbidden' }, { type: 'error', id: 'r2', code: 'forbidden' }]);
  s.window.end();
  t.same(s.writer.ops, []);
  t.equal(s.window.armed, 0);
});

t.test('a refused or failed write answers the reader who asked last with its error, and the rest of the window still goes out', async (t) => {
  const s = setup();
  const bob = new FakePeer(BOB);
  const carol = new FakePeer(CAROL);
  s.writer.accepting = false;
  s.chat.handle(bob, { ...read(ROOM, 2), id: 'r1' });
  s.window.end();
  t.match(bob.sent, [{ type: 'error', id: 'r1', code: 'unavailable' }]);
  s.writer.accepting = true;
  s.chat.handle(bob, { ...read(ROOM, 2), id: 'r2' });
  s.chat.handle(carol, read(ROOM, 2));
  s.window.end();
  s.writer.complete({ ok: false, code: 'forbidden', message: 'not a member' });
  s.writer.complete({ ok: true, seq: 2, moved: true });
  t.match(bob.sent[1], { type: 'error', id: 'r2', code: 'forbidden' }, 'removed between the check and the commit');
  t.same(s.fanout.published, [['room:10', { type: 'receipt', room: '10', user: '3', seq: 2 }]], 'carol\'s marker is still announced');
});

t.test('close cancels the window: nothing is written or published afterwards', async (t) => {
  const s = setup();
  s.chat.handle(new FakePeer(BOB), read(ROOM, 2));
  t.equal(s.window.pending, true);
  s.chat.close();
  t.equal(s.window.cancelled, 1);
  t.equal(s.window.pending, false);
  s.chat.handle(new FakePeer(CAROL), read(ROOM, 2));
  t.equal(s.window.armed, 1, 'no timer starts after close');
  t.same(s.writer.ops, []);
  t.same(s.fanout.published, []);
});

t.test('the window\'s real timer does not keep the process alive', async (t) => {
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const cancel = unrefTimer(() => t.fail('cancelled'), 60_000);
  t.teardown(cancel);
  t.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, before);
});
