import type { Socket } from 'node:net';
import t from 'tap';
import { TestClient, type Frame } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

const tcpOf = (c: TestClient): Socket => (c.socket as unknown as { _socket: Socket })._socket;
const presenceOf = (user: string, state?: string) => (f: Frame): boolean => f.type === 'presence' && f.user === user && (state === undefined || f.state === state);

t.test('online, away (every socket away), back online, offline with lastSeen, pushed to the other member of a direct room', async (t) => {
  const srv = await startTestServer({ idleTimeoutSeconds: 8 });
  t.teardown(() => srv.close());
  const alice = await srv.user('alice');
  const bob = await srv.user('bob');
  const dm = await srv.dm('alice', 'bob');
  const b = await TestClient.connect(srv.ws, bob.token);
  t.teardown(() => b.socket.terminate());
  const phone = await TestClient.connect(srv.ws, alice.token);
  t.match(await b.next(presenceOf(alice.id, 'online')), { state: 'online' });
  const laptop = await TestClient.connect(srv.ws, alice.token);
  t.match(await phone.request({ type: 'presence', state: 'away' }), { type: 'ok' });
  // Any push the change caused left in the turn that answered it: bob's pong comes after it.
  await b.request({ type: 'ping' });
  t.equal(b.frames.filter(presenceOf(alice.id)).length, 1, 'one socket away is not the user away; a second socket is not news');
  laptop.send({ type: 'presence', state: 'away' });
  t.match(await b.next(presenceOf(alice.id, 'away')), { state: 'away' });
  laptop.send({ type: 'presence', state: 'online' });
  t.match(await b.next(presenceOf(alice.id, 'online')), { state: 'online' });
  const snap = await b.request({ type: 'presence', room: dm });
  t.match(snap, { online: 2, away: 0 });
  t.match((snap.users as Frame[]).find((u) => u.user === alice.id), { state: 'online' });
  await laptop.close();
  t.match(await b.next(presenceOf(alice.id, 'away')), {}, 'the socket left is away');
  const before = Date.now();
  await phone.close();
  const off = await b.next(presenceOf(alice.id, 'offline'));
  t.ok((off.lastSeen as number) >= before - 5, 'lastSeen is when the last socket closed');
  t.match(await b.request({ type: 'presence', room: dm }), { online: 1, users: [{ user: alice.id, state: 'offline', lastSeen: off.lastSeen }] });
});

t.test('a socket that dies without a close frame ends as offline: at once on a reset, after the idle timeout when silent', async (t) => {
  const srv = await startTestServer({ idleTimeoutSeconds: 8 });
  t.teardown(() => srv.close());
  const alice = await srv.user('alice');
  const bob = await srv.user('bob');
  await srv.dm('alice', 'bob');
  const b = await TestClient.connect(srv.ws, bob.token);
  t.teardown(() => b.socket.terminate());
  const killed = await TestClient.connect(srv.ws, alice.token);
  await b.next(presenceOf(alice.id, 'online'));
  tcpOf(killed).destroy();
  t.ok(await b.next(presenceOf(alice.id, 'offline'), 6000), 'a dropped TCP connection is offline at once, well before the 8 s idle timeout');
  const silent = await TestClient.connect(srv.ws, alice.token);
  await b.next(presenceOf(alice.id, 'online'));
  // The network goes quiet: no close, no reset, no pong. Only the idle timeout can tell.
  tcpOf(silent).pause();
  const started = Date.now();
  await b.next(presenceOf(alice.id, 'offline'), 25_000);
  const waited = Date.now() - started;
  t.ok(waited >= 1000 && waited <= 25_000, `offline after the idle timeout (${waited} ms)`);
  silent.socket.terminate();
});

t.test('rooms larger than presenceMaxRoomSize get no pushes, only counts on request; presence off pushes nothing', async (t) => {
  const srv = await startTestServer({ presenceMaxRoomSize: 2 });
  t.teardown(() => srv.close());
  const users = await Promise.all(['u1', 'u2', 'u3'].map((n) => srv.user(n)));
  const room = await srv.room('big', ['u1', 'u2', 'u3']);
  const [u1, u2] = users;
  if (u1 === undefined || u2 === undefined) throw new Error('users');
  const c1 = await TestClient.connect(srv.ws, u1.token);
  t.teardown(() => c1.socket.terminate());
  const c2 = await TestClient.connect(srv.ws, u2.token);
  t.teardown(() => c2.socket.terminate());
  // The server's open handler (where a push would go out) ran before it read c2's ping, and any
  // push to c1 precedes c1's pong.
  await c2.request({ type: 'ping' });
  await c1.request({ type: 'ping' });
  t.equal(c1.frames.filter((f) => f.type === 'presence').length, 0, 'no push in a room of 3 with a limit of 2');
  const snap = await c1.request({ type: 'presence', room });
  t.same({ online: snap.online, away: snap.away, users: snap.users }, { online: 2, away: 0, users: undefined }, 'counts only');
  t.match(await c1.request({ type: 'presence', room: '424242' }), { type: 'error', code: 'forbidden' });

  const quiet = await startTestServer({ presence: false });
  t.teardown(() => quiet.close());
  const x = await quiet.user('x');
  const y = await quiet.user('y');
  await quiet.dm('x', 'y');
  const cx = await TestClient.connect(quiet.ws, x.token);
  t.teardown(() => cx.socket.terminate());
  const cy = await TestClient.connect(quiet.ws, y.token);
  await cy.close();
  // The close handler ran in the turn that answered cy's close; cx's ping is read after it.
  await cx.request({ type: 'ping' });
  t.equal(cx.frames.filter((f) => f.type === 'presence').length, 0, 'presence off: no pushes');
});
