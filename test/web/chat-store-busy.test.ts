/**
 * A `send` refused `unavailable` while the socket stays up (the server's
 * write queue is full: "retry later; a send retried with the same
 * clientMsgId is safe") stays queued and is sent again after the advised
 * wait, ahead of the room's next message.
 */
import t from 'tap';
import { newRoom, withWindow } from '../../src/web/room-state.js';
import { ProtocolError } from '../../src/web/protocol.js';

const g = globalThis as Record<string, unknown>;
g.location = { protocol: 'http:', host: 'pi:8080', hash: '' };
g.window = globalThis;
g.document = { addEventListener() {}, removeEventListener() {}, visibilityState: 'visible', hasFocus: () => false };

t.test('a transient unavailable keeps the message queued, ahead of the room\'s next one', async (t) => {
  const { ChatStore } = await import('../../src/web/chat-store.js');
  const store = new ChatStore('tok', { id: 'me', name: 'me', role: 'member' }, () => undefined);
  const summary = { room: 'r1', name: 'general', kind: 'group' as const, lastSeq: 0, readSeq: 0 };
  store.patch({ rooms: { r1: withWindow(newRoom(summary as never), [], false) }, roomsLoaded: true, conn: { kind: 'online' } });
  const stored: string[] = [];
  let refusedOnce = false;
  (store.conn as unknown as { request: (f: Record<string, unknown>) => Promise<unknown> }).request = async (f) => {
    await new Promise((r) => setTimeout(r, 1));
    if (f.body === 'first' && !refusedOnce) {
      refusedOnce = true;
      throw new ProtocolError('unavailable', 'the writer queue is full; retry later', 200);
    }
    stored.push(String(f.body));
    return { type: 'ack', seq: stored.length, msgId: String(stored.length), ts: Date.now() };
  };
  store.send('r1', 'first');
  store.send('r1', 'second');
  store.outbox.open();
  // Bounded by count, not a fixed wait: the retry comes after the advised 200 ms.
  for (let i = 0; i < 250 && stored.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  t.same(stored, ['first', 'second'], 'both stored, in the order written');
  t.same(store.state.rooms.r1?.pending.map((p) => p.state), [], 'nothing left failed');
});
