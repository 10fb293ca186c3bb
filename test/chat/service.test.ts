import t, { type Test } from 'tap';
import { actionWiring, FakeWriter } from './wiring.js';
import { Membership } from '../../src/chat/membership.js';
import type { Fanout, HistorySource, Peer, SearchQuery, SearchSource } from '../../src/chat/ports.js';
import { ChatService, parseRoomId } from '../../src/chat/service.js';
import type { ClientFrame, RoomSummary, SearchHit, WireMessage } from '../../src/protocol/frames.js';
import type { ChangePage, WireChange } from '../../src/store/read/change-reader.js';
import type { Page } from '../../src/store/read/reader.js';

/** Small fakes for every port: no network, no disk. */
class FakePeer implements Peer {
  readonly sent: Array<Record<string, unknown>> = [];
  readonly others: Array<[string, Record<string, unknown>]> = [];
  constructor(readonly userId: number) {}
  send(frame: string): void { this.sent.push(JSON.parse(frame) as Record<string, unknown>); }
  publishOthers(topic: string, frame: string): void { this.others.push([topic, JSON.parse(frame) as Record<string, unknown>]); }
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
    history, writer, fanout, membership, search, ...actionWiring(writer, fanout, membership),
    limits: { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 10, maxSearchLimit: 50 },
    maxSyncTotal: 1000,
    onCommitted: (n) => committed.push(n),
    // Each receipt at once: how receipts share a window is specified in read-receipts.test.ts.
    receiptWindowMs: 0,
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
    {
      type: 'rooms', id: 'r', rooms: [{ room: '10', name: 'rooms of 1', kind: 'group', lastSeq: 3, readSeq: 1, unread: 2 }],
      editWindowSeconds: 900, rateLimits: { framesPerSecond: 20, frameBurst: 100, userFramesPerSecond: 100, userFrameBurst: 500 },
    },
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

/** Rooms with real, gap-free message and change sequences, read the way the store reads them. */
class RoomsInMemory implements HistorySource {
  readonly reads: Array<[kind: string, room: number, limit: number]> = [];
  constructor(private readonly sizes: ReadonlyMap<number, number>, private readonly changeCounts: ReadonlyMap<number, number>) {}
  history(): Page { return { messages: [], more: false }; }
  since(room: number, after: number, limit: number): Page {
    this.reads.push(['since', room, limit]);
    const last = this.sizes.get(room) ?? 0;
    const messages: WireMessage[] = [];
    for (let seq = after + 1; seq <= last && messages.length < limit; seq++) messages.push(msg(room, seq));
    return { messages, more: after + messages.length < last };
  }
  changesSince(room: number, after: number, limit: number): ChangePage {
    this.reads.push(['changes', room, limit]);
    const last = this.changeCounts.get(room) ?? 0;
    const changes: WireChange[] = [];
    for (let cseq = after + 1; cseq <= last && changes.length < limit; cseq++) changes.push({ cseq, type: 'deleted', seq: cseq });
    return { changes, moreChanges: after + changes.length < last, lastCseq: after + changes.length };
  }
  rooms(): RoomSummary[] { return []; }
}

interface SyncedEntry { room: string; messages: WireMessage[]; more: boolean; changes?: WireChange[]; moreChanges?: boolean; lastCseq?: number }

/** Syncs until no room reports more, from the cursors each reply returns; every reply's size is checked. */
function syncToTheEnd(
  t: Test, counts: ReadonlyMap<number, number>, cseqs: ReadonlyMap<number, number>, total: number,
): { seqs: Map<string, number[]>; cseqsSeen: Map<string, number[]>; replies: number } {
  const rooms = [...new Set([...counts.keys(), ...cseqs.keys()])];
  const membership = Membership.from(rooms.map((r) => ({ room_id: r, user_id: ALICE })));
  const history = new RoomsInMemory(counts, cseqs);
  const writer = new FakeWriter();
  const fanout = new FakeFanout();
  const chat = new ChatService({
    history, writer, fanout, membership, search: new FakeSearch(), maxSyncTotal: total, ...actionWiring(writer, fanout, membership),
    limits: { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 1000, maxSearchLimit: 50 },
  });
  const alice = new FakePeer(ALICE);
  let since = new Map([...counts.keys()].map((r) => [String(r), 0]));
  let changesSince = new Map([...cseqs.keys()].map((r) => [String(r), 0]));
  const seqs = new Map<string, number[]>();
  const cseqsSeen = new Map<string, number[]>();
  let replies = 0;
  // Each reply carries at least one entry or finishes, so the total over all rooms bounds the rounds.
  const maxRounds = [...counts.values(), ...cseqs.values()].reduce((a, b) => a + b, 0) + 2;
  while ((since.size > 0 || changesSince.size > 0) && replies < maxRounds) {
    chat.handle(alice, { type: 'sync', id: `s${replies}`, since: [...since], changesSince: [...changesSince], limit: 500 });
    const reply = alice.sent.pop() as { type: string; rooms: SyncedEntry[] };
    replies++;
    t.equal(reply.type, 'synced');
    const messages = reply.rooms.reduce((n, r) => n + r.messages.length, 0);
    const changes = reply.rooms.reduce((n, r) => n + (r.changes?.length ?? 0), 0);
    t.ok(messages <= total, `reply ${replies} holds ${messages} messages, at most ${total}`);
    t.ok(changes <= total, `reply ${replies} holds ${changes} change entries, at most ${total}`);
    const nextSince = new Map<string, number>();
    const nextChanges = new Map<string, number>();
    for (const r of reply.rooms) {
      const got = seqs.get(r.room) ?? [];
      got.push(...r.messages.map((m) => m.seq));
      seqs.set(r.room, got);
      if (r.more) nextSince.set(r.room, got[got.length - 1] ?? since.get(r.room) ?? 0);
      if (r.changes !== undefined) {
        const seen = cseqsSeen.get(r.room) ?? [];
        seen.push(...r.changes.map((c) => c.cseq));
        cseqsSeen.set(r.room, seen);
        if (r.moreChanges === true) nextChanges.set(r.room, r.lastCseq ?? 0);
      }
    }
    since = nextSince;
    changesSince = nextChanges;
  }
  t.equal(since.size + changesSince.size, 0, `everything was fetched within ${maxRounds} replies`);
  return { seqs, cseqsSeen, replies };
}

const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

t.test('sync: a reply holds at most maxSyncTotal messages; the rooms past it say more and follow exactly once, in order', async (t) => {
  // 30 rooms of 0..87 messages each: 1,527 in all, against a cap of 100 per reply.
  const counts = new Map(Array.from({ length: 30 }, (_, i) => [100 + i, (i * 29) % 88] as [number, number]));
  const { seqs, replies } = syncToTheEnd(t, counts, new Map(), 100);
  for (const [room, n] of counts) t.same(seqs.get(String(room)), upTo(n), `room ${room}: seqs 1..${n}, no gap or repeat`);
  t.ok(replies >= 16, `1,527 messages at 100 a reply take at least 16 replies (took ${replies})`);
});

t.test('sync: change entries are capped the same way and followed from lastCseq exactly once, in order', async (t) => {
  const counts = new Map([[200, 3], [201, 0]]);
  const cseqs = new Map(Array.from({ length: 12 }, (_, i) => [200 + i, 5 + i * 7] as [number, number]));
  const { seqs, cseqsSeen } = syncToTheEnd(t, counts, cseqs, 40);
  for (const [room, n] of cseqs) t.same(cseqsSeen.get(String(room)), upTo(n), `room ${room}: cseqs 1..${n}`);
  t.same(seqs.get('200'), upTo(3));
  t.same(seqs.get('205'), [], 'a room named in changesSince only gets no messages');
});

t.test('sync: rooms past a spent budget are not read at all', async (t) => {
  const counts = new Map([[300, 10], [301, 10], [302, 10]]);
  const membership = Membership.from([...counts.keys()].map((r) => ({ room_id: r, user_id: ALICE })));
  const history = new RoomsInMemory(counts, new Map());
  const writer = new FakeWriter();
  const fanout = new FakeFanout();
  const chat = new ChatService({
    history, writer, fanout, membership, search: new FakeSearch(), maxSyncTotal: 15, ...actionWiring(writer, fanout, membership),
    limits: { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 1000, maxSearchLimit: 50 },
  });
  const alice = new FakePeer(ALICE);
  chat.handle(alice, { type: 'sync', id: 's', since: [['300', 0], ['301', 0], ['302', 0]], limit: 100 });
  t.same(history.reads, [['since', 300, 15], ['since', 301, 5]], 'each read asks only for what the budget has left');
  t.match(alice.sent, [{ type: 'synced', rooms: [{ room: '300', more: false }, { room: '301', more: true }, { room: '302', messages: [], more: true }] }]);
});

t.test('sync: one foreign room refuses the whole sync before any room is read', async (t) => {
  const s = setup();
  const bob = new FakePeer(BOB);
  s.chat.handle(bob, { type: 'sync', id: 's', since: [['10', 0], ['11', 0]] });
  t.match(bob.sent, [{ type: 'error', id: 's', code: 'forbidden' }]);
  t.same(s.history.calls, []);
});

t.test('sync: with deferReads the rows are read when the job runs, checking membership then', async (t) => {
  const s = setup();
  const jobs: Array<() => void> = [];
  const chat = new ChatService({
    history: s.history, writer: s.writer, fanout: s.fanout, membership: s.membership, search: s.search, maxSyncTotal: 1000,
    ...actionWiring(s.writer, s.fanout, s.membership),
    limits: { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 10, maxSearchLimit: 50 },
    deferReads: (job) => jobs.push(job) > 0,
  });
  const alice = new FakePeer(ALICE);
  chat.handle(alice, { type: 'sync', id: 's', since: [['10', 4]] });
  t.same(s.history.calls, [], 'nothing is read while the frame is handled');
  t.same(alice.sent, []);
  jobs.shift()?.();
  t.match(alice.sent, [{ type: 'synced', id: 's', rooms: [{ room: '10', messages: [{ seq: 5 }] }] }]);
});

t.test('sync: a deferred sync whose read throws is answered internal and told; the next one in the queue is answered as usual', async (t) => {
  const s = setup();
  const jobs: Array<() => void> = [];
  const told: unknown[] = [];
  let failing = true;
  const history = Object.create(s.history) as FakeHistory;
  history.since = (room: number, after: number, limit: number): Page => {
    if (failing) throw new Error('disk I/O error');
    return s.history.since(room, after, limit);
  };
  const chat = new ChatService({
    history, writer: s.writer, fanout: s.fanout, membership: s.membership, search: s.search, maxSyncTotal: 1000,
    ...actionWiring(s.writer, s.fanout, s.membership),
    limits: { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 10, maxSearchLimit: 50 },
    deferReads: (job) => jobs.push(job) > 0,
    onError: (err, where) => told.push([(err as Error).message, where]),
  });
  const alice = new FakePeer(ALICE);
  chat.handle(alice, { type: 'sync', id: 'a', since: [['10', 4]] });
  chat.handle(alice, { type: 'sync', id: 'b', since: [['10', 4]] });
  t.doesNotThrow(() => jobs.shift()?.(), 'the failure stays inside the job');
  t.match(alice.sent, [{ type: 'error', id: 'a', code: 'internal' }]);
  t.same(told, [['disk I/O error', { frame: 'sync', user: ALICE }]]);
  failing = false;
  jobs.shift()?.();
  t.match(alice.sent[1], { type: 'synced', id: 'b', rooms: [{ room: '10', messages: [{ seq: 5 }] }] });
});

t.test('sync: a sync the full queue refuses is answered unavailable with retryAfterMs, and nothing is read', async (t) => {
  const s = setup();
  const chat = new ChatService({
    history: s.history, writer: s.writer, fanout: s.fanout, membership: s.membership, search: s.search, maxSyncTotal: 1000,
    ...actionWiring(s.writer, s.fanout, s.membership),
    limits: { maxBodyChars: 100, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 10, maxSearchLimit: 50 },
    deferReads: () => false,
  });
  const alice = new FakePeer(ALICE);
  chat.handle(alice, { type: 'sync', id: 's', since: [['10', 4]] });
  t.same(s.history.calls, []);
  t.match(alice.sent, [{ type: 'error', id: 's', code: 'unavailable', retryAfterMs: Number }]);
});
