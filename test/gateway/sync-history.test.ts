import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';

// No rate limit here: the fixture posts 120 messages from one socket.
// maxHistoryLimit 100 (default 200) so a clamp is visible with 120 messages;
// maxSyncTotal 100 (default 1000) so a reply's cap is reached by a few small rooms.
const s = await startTestServer({ framesPerSecond: 0, maxHistoryLimit: 100, maxSyncTotal: 100 });
t.teardown(() => s.close());
const alice = await s.user('alice');
const bob = await s.user('bob');
const room = await s.room('general', ['alice', 'bob']);
const side = await s.room('side', ['alice', 'bob']);

const connect = (token: string): Promise<TestClient> => s.connect(token);

const a = await connect(alice.token);
// 120 messages in `room`, 3 in `side`.
for (let start = 0; start < 120; start += 60) {
  await Promise.all(Array.from({ length: 60 }, (_, i) => a.request({ type: 'send', room, body: `m${start + i + 1}`, clientMsgId: `h${start + i}` })));
}
for (let i = 1; i <= 3; i++) await a.request({ type: 'send', room: side, body: `side ${i}`, clientMsgId: `s${i}` });
const seqsOf = (f: Record<string, unknown>): number[] => (f.messages as Array<{ seq: number }>).map((m) => m.seq);

t.test('history without `before` is the newest page, ascending, with `more`', async (t) => {
  const b = await connect(bob.token);
  const page = await b.request({ type: 'history', room });
  t.equal(page.type, 'history');
  t.equal(page.room, room);
  t.same(seqsOf(page), Array.from({ length: 50 }, (_, i) => 71 + i), 'default limit 50');
  t.equal(page.more, true);
  t.match((page.messages as unknown[])[0], { room, seq: 71, msgId: /^\d+$/, from: alice.id, body: 'm71', ts: Number });
});

t.test('paging back with exclusive `before` reaches seq 1 with no gap or overlap', async (t) => {
  const b = await connect(bob.token);
  const seen: number[] = [];
  let before: number | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await b.request({ type: 'history', room, before, limit: 45 });
    const seqs = seqsOf(page);
    if (before !== undefined) t.ok(seqs.every((x) => x < before!), `before ${before} is exclusive`);
    seen.unshift(...seqs);
    if (!page.more) break;
    before = seqs[0];
  }
  t.same(seen, Array.from({ length: 120 }, (_, i) => i + 1));
  const edge = await b.request({ type: 'history', room, before: 51, limit: 200 });
  t.same(seqsOf(edge), Array.from({ length: 50 }, (_, i) => i + 1), 'before: 51 returns seqs ≤ 50');
  t.equal(edge.more, false);
  const empty = await b.request({ type: 'history', room, before: 1 });
  t.same(empty.messages, []);
  t.equal(empty.more, false);
});

t.test('a history limit above maxHistoryLimit is clamped, not refused', async (t) => {
  const b = await connect(bob.token);
  const page = await b.request({ type: 'history', room, limit: 100_000 });
  t.same(seqsOf(page), Array.from({ length: 100 }, (_, i) => 21 + i));
  t.equal(page.more, true);
});

t.test('after a reconnect, sync with `since` returns exactly what was missed in each room', async (t) => {
  let b = await connect(bob.token);
  const last = await b.request({ type: 'history', room, limit: 1 });
  const lastSeq = seqsOf(last)[0] ?? 0;
  await b.close();
  // While bob is away, alice posts in both rooms.
  const missed = [];
  for (let i = 0; i < 4; i++) missed.push(await a.request({ type: 'send', room, body: `while away ${i}`, clientMsgId: `away-${i}` }));
  const sideAck = await a.request({ type: 'send', room: side, body: 'side while away', clientMsgId: 'away-side' });
  b = await connect(bob.token);
  const synced = await b.request({ type: 'sync', since: { [room]: lastSeq, [side]: 3 } });
  t.equal(synced.type, 'synced');
  const byRoom = new Map((synced.rooms as Array<{ room: string; messages: Array<{ seq: number; body: string }>; more: boolean }>).map((r) => [r.room, r]));
  t.same(byRoom.get(room)?.messages.map((m) => m.seq), missed.map((m) => m.seq));
  t.same(byRoom.get(room)?.messages.map((m) => m.body), ['while away 0', 'while away 1', 'while away 2', 'while away 3']);
  t.equal(byRoom.get(room)?.more, false);
  t.same(byRoom.get(side)?.messages.map((m) => m.seq), [sideAck.seq]);
});

t.test('sync pages with `limit` and `more`, ascending from `since`', async (t) => {
  const b = await connect(bob.token);
  const first = await b.request({ type: 'sync', since: { [room]: 0 }, limit: 30 });
  const r0 = (first.rooms as Array<{ messages: Array<{ seq: number }>; more: boolean }>)[0];
  t.same(r0?.messages.map((m) => m.seq), Array.from({ length: 30 }, (_, i) => i + 1));
  t.equal(r0?.more, true);
  const next = await b.request({ type: 'sync', since: { [room]: 30 }, limit: 30 });
  t.equal((next.rooms as Array<{ messages: Array<{ seq: number }> }>)[0]?.messages[0]?.seq, 31);
  const dflt = await b.request({ type: 'sync', since: { [room]: 0 } });
  t.equal((dflt.rooms as Array<{ messages: unknown[] }>)[0]?.messages.length, 100, 'default sync limit is 100 per room');
  const upToDate = await b.request({ type: 'sync', since: { [side]: 1000 } });
  t.same(upToDate.rooms, [{ room: side, messages: [], more: false }]);
});

interface SyncedRoom { room: string; messages: Array<{ seq: number }>; more: boolean; changes?: Array<{ cseq: number }>; moreChanges?: boolean; lastCseq?: number }

t.test('a sync whose rooms hold more than maxSyncTotal in all is answered in capped replies that, followed, bring everything once and in order', async (t) => {
  const small = [await s.room('s1', ['alice', 'bob']), await s.room('s2', ['alice', 'bob']), await s.room('s3', ['alice', 'bob'])];
  const b = await connect(bob.token);
  // 40 messages in each small room, each with one reaction from bob: 120 messages and 120 change entries.
  for (const [i, r] of small.entries()) {
    const acks = await Promise.all(Array.from({ length: 40 }, (_, k) => a.request({ type: 'send', room: r, body: `s${i}-${k}`, clientMsgId: `cap-${i}-${k}` })));
    await Promise.all(acks.map((ack) => b.request({ type: 'react', room: r, seq: ack.seq, emoji: '👍' })));
  }
  const summary = await b.request({ type: 'rooms' });
  const known = new Map((summary.rooms as Array<{ room: string; lastSeq: number; lastCseq?: number }>).map((r) => [r.room, r]));
  const asked = [room, side, ...small];
  let since: Record<string, number> = Object.fromEntries(asked.map((r) => [r, 0]));
  let changesSince: Record<string, number> = Object.fromEntries(small.map((r) => [r, 0]));
  const seqs = new Map<string, number[]>(asked.map((r) => [r, []]));
  const cseqs = new Map<string, number[]>(small.map((r) => [r, []]));
  // Each full reply brings 100 entries, so 124 + 4 + 120 messages and 120 changes need at most 4 replies; 10 bounds the loop.
  let replies = 0;
  for (; replies < 10 && Object.keys(since).length + Object.keys(changesSince).length > 0; replies++) {
    const reply = await b.request({ type: 'sync', since, changesSince, limit: 500 });
    const rooms = reply.rooms as SyncedRoom[];
    t.ok(rooms.reduce((n, r) => n + r.messages.length, 0) <= 100, `reply ${replies + 1}: at most maxSyncTotal messages`);
    t.ok(rooms.reduce((n, r) => n + (r.changes?.length ?? 0), 0) <= 100, `reply ${replies + 1}: at most maxSyncTotal change entries`);
    const nextSince: Record<string, number> = {};
    const nextChanges: Record<string, number> = {};
    for (const r of rooms) {
      const got = seqs.get(r.room) ?? [];
      got.push(...r.messages.map((m) => m.seq));
      if (r.more) nextSince[r.room] = got[got.length - 1] ?? since[r.room] ?? 0;
      if (r.changes !== undefined) cseqs.get(r.room)?.push(...r.changes.map((c) => c.cseq));
      if (r.moreChanges === true) nextChanges[r.room] = r.lastCseq ?? 0;
    }
    since = nextSince;
    changesSince = nextChanges;
  }
  t.same({ since, changesSince }, { since: {}, changesSince: {} }, `all followed within ${replies} replies`);
  t.ok(replies >= 3, `248 messages at 100 a reply take at least 3 replies (took ${replies})`);
  const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
  for (const r of asked) t.same(seqs.get(r), upTo(known.get(r)?.lastSeq ?? -1), `room ${r}: every seq once, in order`);
  for (const r of small) t.same(cseqs.get(r), upTo(known.get(r)?.lastCseq ?? -1), `room ${r}: every cseq once, in order`);
});
