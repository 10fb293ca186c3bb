/**
 * A reconnect whose first `sync` reply says `moreChanges` (the change budget
 * ran out) fetches the remaining changes before it adds the new messages:
 * those already show every reaction, and applied again one would count twice.
 */
import t from 'tap';
import { newRoom, withWindow } from '../../src/web/room-state.js';
import type { WireMessage } from '../../src/web/protocol.js';

const g = globalThis as Record<string, unknown>;
g.location = { protocol: 'http:', host: 'pi:8080', hash: '' };
g.window = globalThis;
g.document = { addEventListener() {}, removeEventListener() {}, visibilityState: 'visible', hasFocus: () => true };
g.fetch = async () => new Response(JSON.stringify({ members: [] }), { status: 200 });

const msg = (seq: number, extra: Partial<WireMessage> = {}): WireMessage => ({ room: 'r1', seq, msgId: String(seq), from: 'u2', body: `m${seq}`, ts: 1_000 + seq, ...extra });

t.test('reactions already shown by messages fetched in the catch-up are not counted twice', async (t) => {
  const { ChatStore } = await import('../../src/web/chat-store.js');
  const { catchUp } = await import('../../src/web/catch-up.js');
  const store = new ChatStore('tok', { id: 'me', name: 'me', role: 'member' }, () => undefined);
  const summary = { room: 'r1', name: 'general', kind: 'group' as const, lastSeq: 3, readSeq: 3, lastCseq: 10 };
  store.patch({ rooms: { r1: withWindow(newRoom(summary as never), [msg(1), msg(2), msg(3)], false) }, roomsLoaded: true });
  // While offline: message 4 was posted, then changes 11 (an edit of 1) and 12 (u3 reacts 👍 to 4).
  const requests: unknown[] = [];
  (store.conn as unknown as { request: (f: Record<string, unknown>) => Promise<unknown> }).request = async (f) => {
    requests.push(f);
    if (f.type === 'rooms') return { type: 'rooms', rooms: [{ ...summary, lastSeq: 4, lastCseq: 12 }] };
    if (f.type === 'sync' && Object.keys(f.since as object).length > 0) {
      // The server's change budget stops after cseq 11; message 4 is sent as it is now, with u3's 👍.
      return { type: 'synced', rooms: [{ room: 'r1', messages: [msg(4, { reactions: [{ emoji: '👍', count: 1, me: false }] })], more: false,
        changes: [{ cseq: 11, type: 'edited', seq: 1, body: 'm1 edited', editedAt: 2_000 }], moreChanges: true, lastCseq: 11 }] };
    }
    if (f.type === 'sync') {
      return { type: 'synced', rooms: [{ room: 'r1', messages: [], more: false,
        changes: [{ cseq: 12, type: 'reaction', seq: 4, emoji: '👍', user: 'u3', on: true }], moreChanges: false, lastCseq: 12 }] };
    }
    return { type: f.type, rooms: [], users: [], invites: [] };
  };
  await catchUp(store);
  const r = store.state.rooms.r1!;
  t.equal(r.messages.find((m) => m.seq === 1)?.body, 'm1 edited', 'the edit applied');
  t.equal(r.lastCseq, 12, 'cursor at 12');
  t.same(r.messages.find((m) => m.seq === 4)?.reactions, [{ emoji: '👍', count: 1, me: false }], 'one 👍 on message 4, as the server has it');
});
