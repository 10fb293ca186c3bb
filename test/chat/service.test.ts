import t from 'tap';
import { Membership } from '../../src/chat/membership.js';
import type { Fanout, HistorySource, Peer, SearchQuery, SearchSource, WriteQueue } from '../../src/chat/ports.js';
import { ChatService, parseRoomId } from '../../src/chat/service.js';
import type { ClientFrame, RoomSummary, SearchHit, WireMessage } from '../../src/protocol/frames.js';
import type { Page } from '../../src/store/read/reader.js';
import type { ResultOf, WriteOp, WriteResult } from '../../src/store/write/write-ops.js';

/** Small fakes for every port: no network, no disk. */
class FakePeer implements Peer {
  readonly sent: Array<Record<string, unknown>> = [];
  readonly others: Array<[string, Record<string, unknown>]> = [];
  constructor(readonly userId: number) {}
  send(frame: string): void { this.sent.push(JSON.parse(frame) as Record<string, unknown>); }
  publishOthers(topic: string, frame: string): void { this.others.push([topic, JSON.parse(frame) as Record<string, unknown>]); }
}

class FakeWriter implements WriteQueue {
  readonly ops: WriteOp[] = [];
  private readonly pending: Array<(r: WriteResult) => void> = [];
  accepting = true;
  submit<O extends WriteOp>(op: O, done: (result: ResultOf<O>) => void): boolean {
    if (!this.accepting) return false;
    this.ops.push(op);
    this.pending.push(done as (r: WriteResult) => void);
    return true;
  }
  /** Completes the oldest pending write with `result`, as the writer thread would after COMMIT. */
  complete(result: WriteResult): void {
    this.pending.shift()?.(result);
  }
  get waiting(): number { return this.pending.length; }
}

class FakeFanout implements Fanout {
  readonly published: Array<[string, Record<string, unknown>]> = [];
  publish(topic: string, frame: string): void { this.published.push([topic, JSON.parse(frame) as Record<string, unknown>]); }
  toUser(user: number, frame: string): void { this.published.push([`user ${user}`, JSON.parse(frame) as Record<string, unknown>]); }
}

const msg = (room: number, seq: number): WireMessage => ({ room: String(room), seq, msgId: String(100 + seq), from: '1', body: `m${seq}`, ts: seq });

class FakeHistory implements HistorySource {
  readonly calls: unknown[][] = [];
  history(room: number, before: number | undefined, limit: number): Page {
    this.calls.push(['history', room, before, limit]);
    return { messages: [msg(room, 1)], more: false };
  }
  since(room: number, after: number, limit: number): Page {
    this.calls.push(['since', room, after, limit]);
    return { messages: [msg(room, after + 1)], more: true };
  }
  rooms(user: number): RoomSummary[] {
    return [{ room: '10', name: `rooms of ${user}`, kind: 'group', lastSeq: 3, readSeq: 1, unread: 2 }];
  }
}

class FakeSearch implements SearchSource {
  readonly asked: Array<[SearchQuery, readonly number[]]> = [];
  fail = false;
  search(q: SearchQuery, rooms: readonly number[]): Promise<SearchHit[]> {
    this.asked.push([q, rooms]);
    return this.fail ? Promise.reject(new Error('index gone')) : Promise.resolve([{ ...msg(rooms[0] ?? 0, 1), snippet: 'm1', highlights: [[0, 2]] }]);
  }
}

const ALICE = 1;
const BOB = 2;
const CAROL = 3;
const ROOM = 10;
const OTHER = 11;

function setup(): { chat: ChatService; writer: FakeWriter; fanout: FakeFanout; history: FakeHistory; search: FakeSearch; membership: Membership; committed: number[] } {
  const membership = Membership.from([
    { room_id: ROOM, user_id: ALICE }, { room_id: ROOM, user_id: BOB }, { room_id: OTHER, user_id: ALICE },
  ]);
  const writer = new FakeWriter();
  const fanout = new FakeFanout();
  const history = new FakeHistory();
  const search = new FakeSearch();
  const committed: number[] = [];
  const chat = new ChatService({
    history, writer, fanout, membership, search,
    limits: { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 10, maxSearchLimit: 50 },
    onCommitted: (n) => committed.push(n),
  });
  return { chat, writer, fanout, history, search, membership, committed };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('room ids on the wire are decimal row ids; anything else names no room', async (t) => {
  t.equal(parseRoomId('10'), 10);
  for (const bad of ['0', '010', '-1', '1e3', ' 1', 'abc', '', '1234567890123456']) t.equal(parseRoomId(bad), null, bad);
});

t.test('send: the ack comes only after the write completes, then the message is published once', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  s.chat.handle(alice, { type: 'send', id: 'q1', room: '10', body: 'hi', clientMsgId: 'c1' });
  t.same(s.writer.ops, [{ k: 'send', room: ROOM, user: ALICE, clientMsgId: 'c1', body: 'hi' }]);
  t.same(alice.sent, [], 'nothing is acked before the commit');
  t.same(s.fanout.published, [], 'nothing is published before the commit');
  const frame = JSON.stringify({ type: 'message', room: '10', seq: 7, msgId: '42', from: '1', body: 'hi', ts: 5 });
  s.writer.complete({ ok: true, seq: 7, msgId: 42, ts: 5, duplicate: false, frame });
  t.same(alice.sent, [{ type: 'ack', id: 'q1', room: '10', seq: 7, msgId: '42', ts: 5 }]);
  t.same(s.fanout.published, [['room:10', JSON.parse(frame)]]);
  t.same(s.committed, [1]);
});

t.test('send: a duplicate clientMsgId is acked again but not published again', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  s.chat.handle(alice, { type: 'send', id: 'q1', room: '10', body: 'hi', clientMsgId: 'c1' });
  s.writer.complete({ ok: true, seq: 7, msgId: 42, ts: 5, duplicate: true });
  t.match(alice.sent, [{ type: 'ack', seq: 7, msgId: '42' }]);
  t.same(s.fanout.published, []);
  t.same(s.committed, []);
});

t.test('send: a non-member or unknown room is forbidden and nothing is written', async (t) => {
  const s = setup();
  const carol = new FakePeer(CAROL);
  for (const room of ['10', '999', 'general', "1'; DROP TABLE messages; --"]) {
    s.chat.handle(carol, { type: 'send', id: 'q', room, body: 'x', clientMsgId: 'c' });
  }
  t.equal(s.writer.ops.length, 0);
  t.equal(carol.sent.length, 4);
  for (const f of carol.sent) t.match(f, { type: 'error', id: 'q', code: 'forbidden' });
  t.equal(carol.sent[0]?.message, carol.sent[1]?.message?.toString().replace('999', '10'), 'unknown and foreign rooms read the same');
});

t.test('send: a refused or failed write becomes an error reply with the request id', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  s.writer.accepting = false;
  s.chat.handle(alice, { type: 'send', id: 'q1', room: '10', body: 'hi', clientMsgId: 'c1' });
  t.match(alice.sent, [{ type: 'error', id: 'q1', code: 'unavailable' }]);
  s.writer.accepting = true;
  s.chat.handle(alice, { type: 'send', id: 'q2', room: '10', body: 'hi', clientMsgId: 'c1' });
  s.writer.complete({ ok: false, code: 'conflict', message: 'clientMsgId was already used for another room' });
  t.match(alice.sent[1], { type: 'error', id: 'q2', code: 'conflict' });
  t.same(s.fanout.published, []);
});

t.test('history: members get a page with the defaults applied; others are forbidden', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  s.chat.handle(alice, { type: 'history', id: 'h', room: '10' });
  s.chat.handle(alice, { type: 'history', id: 'h2', room: '10', before: 51, limit: 5 });
  t.same(s.history.calls, [['history', ROOM, undefined, 50], ['history', ROOM, 51, 5]]);
  t.match(alice.sent[0], { type: 'history', id: 'h', room: '10', messages: [{ seq: 1 }], more: false });
  const carol = new FakePeer(CAROL);
  s.chat.handle(carol, { type: 'history', id: 'h', room: '10' });
  t.match(carol.sent, [{ type: 'error', id: 'h', code: 'forbidden' }]);
  t.equal(s.history.calls.length, 2, 'a non-member causes no read');
});

t.test('sync: one reply with every named room; one foreign room refuses the whole sync', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  s.chat.handle(alice, { type: 'sync', id: 's', since: [['10', 4], ['11', 0]] });
  t.same(s.history.calls, [['since', ROOM, 4, 100], ['since', OTHER, 0, 100]]);
  t.match(alice.sent, [{ type: 'synced', id: 's', rooms: [{ room: '10', messages: [{ seq: 5 }], more: true }, { room: '11', messages: [{ seq: 1 }] }] }]);
  const bob = new FakePeer(BOB);
  s.chat.handle(bob, { type: 'sync', id: 's2', since: [['10', 0], ['11', 0]], limit: 3 });
  t.match(bob.sent, [{ type: 'error', id: 's2', code: 'forbidden' }]);
});

t.test('read: a member\'s marker is written and a receipt published only when it moved', async (t) => {
  const s = setup();
  const bob = new FakePeer(BOB);
  s.chat.handle(bob, { type: 'read', room: '10', seq: 3 });
  t.same(s.writer.ops, [{ k: 'read', room: ROOM, user: BOB, seq: 3 }]);
  s.writer.complete({ ok: true, seq: 3, moved: true });
  t.same(s.fanout.published, [['room:10', { type: 'receipt', room: '10', user: '2', seq: 3 }]]);
  s.chat.handle(bob, { type: 'read', room: '10', seq: 1 });
  s.writer.complete({ ok: true, seq: 3, moved: false });
  t.equal(s.fanout.published.length, 1);
  t.same(bob.sent, [], 'read has no reply');
  const carol = new FakePeer(CAROL);
  s.chat.handle(carol, { type: 'read', room: '10', seq: 1 });
  t.match(carol.sent, [{ type: 'error', code: 'forbidden' }]);
  t.equal(s.writer.ops.length, 2);
});

t.test('typing: relayed to the room\'s other sockets only, never stored', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  s.chat.handle(alice, { type: 'typing', room: '10' });
  t.same(alice.others, [['room:10', { type: 'typing', room: '10', user: '1' }]]);
  t.same(s.fanout.published, [], 'not published to everyone (the sender\'s socket is excluded)');
  t.equal(s.writer.ops.length, 0);
  const carol = new FakePeer(CAROL);
  s.chat.handle(carol, { type: 'typing', room: '10' });
  t.same(carol.others, []);
  t.match(carol.sent, [{ type: 'error', code: 'forbidden' }]);
});

t.test('search: over the user\'s own rooms, or one room they belong to', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  s.chat.handle(alice, { type: 'search', id: 'q', query: 'hello' });
  await tick();
  t.same(s.search.asked[0]?.[1]?.slice().sort(), [ROOM, OTHER]);
  t.match(s.search.asked[0]?.[0], { user: ALICE, query: 'hello', limit: 20 });
  t.match(alice.sent, [{ type: 'results', id: 'q', hits: [{ snippet: 'm1', highlights: [[0, 2]] }] }]);
  s.chat.handle(alice, { type: 'search', id: 'q2', query: 'hello', room: '11', before: 9, limit: 3 });
  await tick();
  t.same(s.search.asked[1], [{ user: ALICE, query: 'hello', room: OTHER, limit: 3, before: 9 }, [OTHER]]);
  const bob = new FakePeer(BOB);
  s.chat.handle(bob, { type: 'search', id: 'q3', query: 'hello', room: '11' });
  await tick();
  t.match(bob.sent, [{ type: 'error', id: 'q3', code: 'forbidden' }]);
  t.equal(s.search.asked.length, 2);
  s.search.fail = true;
  s.chat.handle(alice, { type: 'search', id: 'q4', query: 'x' });
  await tick();
  t.match(alice.sent.at(-1), { type: 'error', id: 'q4', code: 'unavailable' });
});

t.test('rooms and ping answer directly', async (t) => {
  const s = setup();
  const alice = new FakePeer(ALICE);
  const frames: ClientFrame[] = [{ type: 'rooms', id: 'r' }, { type: 'ping', id: 'p' }, { type: 'ping' }];
  for (const f of frames) s.chat.handle(alice, f);
  t.same(alice.sent, [
    { type: 'rooms', id: 'r', rooms: [{ room: '10', name: 'rooms of 1', kind: 'group', lastSeq: 3, readSeq: 1, unread: 2 }] },
    { type: 'pong', id: 'p' },
    { type: 'pong' },
  ]);
});

t.test('membership changes take effect on the next frame', async (t) => {
  const s = setup();
  const carol = new FakePeer(CAROL);
  s.membership.add(ROOM, CAROL);
  s.chat.handle(carol, { type: 'typing', room: '10' });
  t.equal(carol.others.length, 1);
  s.membership.remove(ROOM, CAROL);
  s.chat.handle(carol, { type: 'typing', room: '10' });
  t.equal(carol.others.length, 1);
  t.match(carol.sent, [{ code: 'forbidden' }]);
});
