/**
 * The "@N" mentions badge after the user's own read marker reaches the end of
 * the room (read on another device, or read offline, then reconnected): gone.
 */
import t from 'tap';
import { newRoom, withReads, unreadCount } from '../../src/web/room-state.js';
import { attentionCount } from '../../src/web/notifications.js';

const g = globalThis as Record<string, unknown>;
g.location = { protocol: 'http:', host: 'pi:8080', hash: '' };
g.window = globalThis;
g.document = { addEventListener() {}, removeEventListener() {}, visibilityState: 'visible', hasFocus: () => true };

const summary = { room: 'r1', name: 'general', kind: 'group' as const, lastSeq: 10, readSeq: 5, mentions: 2 };

t.test('own receipt to the end of the room clears the mentions badge', async (t) => {
  const r = newRoom(summary as never);
  const after = withReads(r, [{ user: 'me', seq: 10 }], 'me');
  t.equal(unreadCount(after), 0, 'no unread messages left');
  t.equal(after.mentions, 0, 'no unread mentions left either (the @2 badge must go)');
  t.equal(attentionCount({ ...after, muted: true }), 0, 'a muted room adds nothing to the title count');
});

t.test('read while offline, then reconnect: refreshRooms keeps the local read and must not bring back @N', async (t) => {
  const { ChatStore } = await import('../../src/web/chat-store.js');
  const { refreshRooms } = await import('../../src/web/catch-up.js');
  const store = new ChatStore('tok', { id: 'me', name: 'me', role: 'member' }, () => undefined);
  store.patch({ rooms: { r1: newRoom(summary as never) }, roomsLoaded: true });
  // The user reads the room to its end while the socket is down: the read waits to be sent.
  store.markRead('r1', 10);
  t.equal(store.state.rooms.r1?.mentions, 0, 'read locally: badge gone');
  // Reconnect: the server has not seen the read yet and still counts 2 mentions.
  (store.conn as unknown as { request: (f: { type: string }) => Promise<unknown> }).request = async (f) => {
    if (f.type === 'rooms') return { type: 'rooms', rooms: [summary] };
    return { type: 'synced', rooms: [] };
  };
  g.fetch = async () => new Response(JSON.stringify({ members: [] }), { status: 200 });
  await refreshRooms(store);
  (store.conn as unknown as { send: () => boolean }).send = () => true; // lets the read throttle stop
  const r = store.state.rooms.r1!;
  t.equal(r.readSeq, 10, 'local read kept');
  t.equal(unreadCount(r), 0, 'no unread');
  t.equal(r.mentions, 0, 'mentions badge must stay cleared: every message is read');
});
