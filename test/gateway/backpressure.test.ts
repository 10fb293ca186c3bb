import t from 'tap';
import type { Socket } from 'node:net';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';

// Small backpressure bound, big messages, no frame rate limit: the slow reader falls behind fast.
const s = await startTestServer({
  maxBackpressureBytes: 64 * 1024, maxBodyChars: 200_000, maxFrameBytes: 256 * 1024, framesPerSecond: 0,
});
t.teardown(() => s.close());
const alice = await s.user('alice');
const bob = await s.user('bob');
const room = await s.room('general', ['alice', 'bob']);

const lagging = (): number => s.server.metrics.counters.get('roost_backpressure_closes_total')?.values.get('') ?? 0;

t.test('a socket that stops reading is closed with 1013 once it falls behind; others keep getting everything', async (t) => {
  const slow = await TestClient.connect(s.ws, bob.token);
  const fast = await TestClient.connect(s.ws, bob.token);
  const sender = await TestClient.connect(s.ws, alice.token);
  t.teardown(() => Promise.all([fast.close(), sender.close(), slow.close()]));
  // Stop reading on the slow client: the kernel buffers fill, then uWS buffers.
  (slow.socket as unknown as { _socket: Socket })._socket.pause();
  let slowClose: { code: number } | null = null;
  void slow.closed.then((c) => (slowClose = c));
  const body = 'x'.repeat(150_000);
  let sent = 0;
  const started = Date.now();
  // Bounded: at most 300 messages (45 MB) or 20 s.
  while (sent < 300 && Date.now() - started < 20_000) {
    await Promise.all(Array.from({ length: 10 }, (_, i) => sender.request({ type: 'send', room, body, clientMsgId: `bp-${sent + i}` })));
    sent += 10;
    if (lagging() > 0) break;
  }
  t.equal(lagging(), 1, `the server found the slow socket behind after ${sent} messages`);
  t.equal(slowClose, null, 'nothing reached the paused client yet');
  // Reading again, it gets what was queued, then the close frame: 1013, reconnect and sync.
  (slow.socket as unknown as { _socket: Socket })._socket.resume();
  await Promise.race([slow.closed, new Promise((r) => setTimeout(r, 5000).unref())]);
  t.match(slowClose, { code: 1013 });
  t.equal(s.server.sockets.size, 2);
  const got = slow.frames.filter((f) => f.type === 'message').map((f) => f.seq as number);
  t.ok(got.length < sent, `the slow socket got ${got.length} of ${sent} before its close`);
  t.same(got, got.map((_, i) => i + 1), 'what it got is a gap-free prefix, so a sync from its last seq recovers the rest');
  const again = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => again.close());
  const synced = await again.request({ type: 'sync', since: { [room]: got.length }, limit: 500 });
  t.equal((synced.rooms as Array<{ messages: unknown[] }>)[0]?.messages.length, sent - got.length);
  // The socket that kept reading got every message.
  const last = await fast.next((f) => f.type === 'message' && f.seq === sent, 10_000);
  t.equal(last.seq, sent);
  t.equal(fast.frames.filter((f) => f.type === 'message').length, sent);
});
