/**
 * Following a capped `sync` reply in the web client, run in Node against a
 * server that answers like Roost's: at most `cap` messages per reply.
 */
import t from 'tap';
import type { SyncedRoom, WireMessage } from '../../src/web/protocol.js';
import { followMessages } from '../../src/web/sync-follow.js';

const msg = (room: string, seq: number): WireMessage => ({ room, seq, msgId: `${room}-${seq}`, from: '2', body: `m${seq}`, ts: seq });

/** Rooms with `last` messages each; a reply stops at `cap` messages in all, like maxSyncTotal. */
function server(last: Record<string, number>, cap: number, perRoom: number) {
  const asked: Array<Record<string, number>> = [];
  const answer = (since: Record<string, number>): SyncedRoom[] => {
    let left = cap;
    return Object.entries(since).map(([room, after]) => {
      const end = Math.min(last[room] ?? 0, after + Math.min(perRoom, left));
      const messages = Array.from({ length: Math.max(0, end - after) }, (_, i) => msg(room, after + i + 1));
      left -= messages.length;
      return { room, messages, more: end < (last[room] ?? 0) };
    });
  };
  return { asked, answer };
}

function client(start: Record<string, number>) {
  const windows = new Map(Object.entries(start).map(([room, end]) => [room, Array.from({ length: end }, (_, i) => i + 1)]));
  const reloaded: string[] = [];
  return { windows, reloaded };
}

async function follow(last: Record<string, number>, start: Record<string, number>, cap: number, perRoom: number, maxRounds: number) {
  const srv = server(last, cap, perRoom);
  const c = client(start);
  await followMessages({
    request: async (since) => {
      srv.asked.push(since);
      return srv.answer(since);
    },
    add: (room, messages) => c.windows.get(room)?.push(...messages.map((m) => m.seq)),
    reload: (room) => c.reloaded.push(room),
    cursor: (room) => c.windows.get(room)?.at(-1) ?? 0,
  }, srv.answer(start), perRoom, maxRounds);
  return { ...c, asked: srv.asked };
}

const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

t.test('rooms a capped reply cut short are asked again from where each got to, until every message is in, once and in order', async (t) => {
  const last = { a: 30, b: 25, c: 12, d: 0 };
  const { windows, reloaded, asked } = await follow(last, { a: 10, b: 0, c: 3, d: 0 }, 20, 200, 10);
  for (const [room, n] of Object.entries(last)) t.same(windows.get(room), upTo(n), `room ${room}: 1..${n}`);
  t.same(reloaded, []);
  t.same(asked[0], { b: 0, c: 3 }, 'the rooms the first reply cut short are asked again from their own cursors');
  t.ok(asked.length <= 3, `54 missed messages at 20 a reply need 2 more asks after the first (made ${asked.length})`);
});

t.test('a room that sent a whole per-room page and still has more is reloaded at its newest page, not followed', async (t) => {
  const { windows, reloaded, asked } = await follow({ a: 500, b: 5 }, { a: 0, b: 0 }, 1000, 200, 10);
  t.same(reloaded, ['a']);
  t.same(windows.get('a'), [], 'its missed messages are not appended: the reload replaces the window');
  t.same(windows.get('b'), upTo(5));
  t.same(asked, []);
});

t.test('rooms still behind after the last round are reloaded; the asks are bounded', async (t) => {
  const { reloaded, asked } = await follow({ a: 50, b: 50 }, { a: 0, b: 0 }, 1, 200, 3);
  t.equal(asked.length, 2, 'three replies in all: the first and two asks');
  t.same(reloaded.sort(), ['a', 'b']);
});
