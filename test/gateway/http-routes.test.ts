import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';

// Two failures per (address, user) before the back-off, so the 429 path is quick to reach.
const s = await startTestServer({ loginFailuresPerUser: 2, loginBackoffSeconds: 60 });
t.teardown(() => s.close());
const alice = await s.user('alice', 'admin');
const bob = await s.user('bob');
const carol = await s.user('carol');
const room = await s.room('general', ['alice', 'bob']);

const auth = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${s.http}${path}`, {
    method, headers: token ? auth(token) : {}, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try { json = text === '' ? undefined : JSON.parse(text); } catch { json = text; }
  return { status: res.status, json, headers: res.headers };
}
const login = (username: string, password: string): ReturnType<typeof call> => call('POST', '/api/v1/login', undefined, { username, password });

t.test('POST /api/v1/login: 200 with a token and the user', async (t) => {
  const r = await login('bob', bob.password);
  t.equal(r.status, 200);
  t.match(r.json, { token: /^[A-Za-z0-9_-]{43}$/, user: { id: bob.id, name: 'bob', role: 'member' } });
  t.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
});

t.test('POST /api/v1/login: 401 with the error body for a wrong password or unknown user', async (t) => {
  const wrong = await login('carol', 'not her password');
  t.equal(wrong.status, 401);
  t.same(wrong.json, { error: { code: 'unauthorized', message: 'wrong user name or password' } });
  const nobody = await login('nobody-here', 'whatever');
  t.equal(nobody.status, 401);
  t.same(nobody.json, wrong.json, 'an unknown user reads the same as a wrong password');
});

t.test('POST /api/v1/login: a malformed body is 400 bad_request', async (t) => {
  t.match(await call('POST', '/api/v1/login', undefined, 'not json'), { status: 400, json: { error: { code: 'bad_request' } } });
  t.match(await call('POST', '/api/v1/login', undefined, { username: 5 }), { status: 400, json: { error: { code: 'bad_request' } } });
});

t.test('POST /api/v1/login: 429 while throttled, even with the right password; another user is unaffected', async (t) => {
  // carol already failed once above; one more failure starts the back-off.
  t.equal((await login('carol', 'wrong again')).status, 401);
  const right = await login('carol', carol.password);
  t.equal(right.status, 429);
  t.equal(right.json.error.code, 'rate_limited');
  t.ok(Number(right.headers.get('retry-after')) > 0, 'Retry-After is set');
  t.equal((await login('bob', bob.password)).status, 200);
});

t.test('POST /api/v1/logout: 204, the token then gets 401 and its sockets close with 4001 token_revoked', async (t) => {
  const { json } = await login('bob', bob.password);
  const token = json.token as string;
  const c = await TestClient.connect(s.ws, token);
  const other = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => other.close());
  const out = await call('POST', '/api/v1/logout', token);
  t.equal(out.status, 204);
  t.equal(out.json, undefined);
  const closed = await c.closedWithin(20_000);
  t.match(closed, { code: 4001, reason: 'token revoked' });
  t.equal((await call('GET', '/api/v1/rooms', token)).status, 401);
  await t.rejects(TestClient.connect(s.ws, token), /upgrade refused: 401/);
  t.match(await other.request({ type: 'ping' }), { type: 'pong' }, 'sockets of the user\'s other tokens stay open');
  t.equal((await call('POST', '/api/v1/logout', token)).status, 401);
});

t.test('GET /api/v1/rooms: the caller\'s room summaries; 401 without a token', async (t) => {
  const r = await call('GET', '/api/v1/rooms', bob.token);
  t.equal(r.status, 200);
  t.match(r.json, { rooms: [{ room, name: 'general', kind: 'group', lastSeq: Number, readSeq: Number, unread: Number }] });
  t.match(await call('GET', '/api/v1/rooms'), { status: 401, json: { error: { code: 'unauthorized' } } });
  t.match(await call('GET', '/api/v1/rooms', 'x'.repeat(43)), { status: 401 });
});

t.test('POST then GET /api/v1/rooms/:room/messages', async (t) => {
  const b = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => b.close());
  const posted = await call('POST', `/api/v1/rooms/${room}/messages`, alice.token, { body: 'over http', clientMsgId: 'http-1' });
  t.equal(posted.status, 201);
  t.match(posted.json, { type: 'ack', room, seq: Number, msgId: /^\d+$/, ts: Number });
  t.match(await b.next((f) => f.type === 'message' && f.msgId === posted.json.msgId), { body: 'over http', from: alice.id });
  const again = await call('POST', `/api/v1/rooms/${room}/messages`, alice.token, { body: 'over http', clientMsgId: 'http-1' });
  t.same(again.json, posted.json, 'a retry gets the first ack');
  await call('POST', `/api/v1/rooms/${room}/messages`, alice.token, { body: 'second', clientMsgId: 'http-2' });
  const page = await call('GET', `/api/v1/rooms/${room}/messages?limit=1`, bob.token);
  t.equal(page.status, 200);
  t.match(page.json, { messages: [{ body: 'second' }], more: true });
  const older = await call('GET', `/api/v1/rooms/${room}/messages?before=${page.json.messages[0].seq}`, bob.token);
  t.match(older.json, { messages: [{ body: 'over http' }], more: false });
  t.match(await call('GET', `/api/v1/rooms/${room}/messages?before=abc`, bob.token), { status: 400, json: { error: { code: 'bad_request' } } });
  t.match(await call('POST', `/api/v1/rooms/${room}/messages`, alice.token, { body: 'no id' }), { status: 400, json: { error: { code: 'bad_request' } } });
  t.match(await call('POST', `/api/v1/rooms/${room}/messages`, alice.token, '{"body":'), { status: 400 });
  t.match(await call('POST', `/api/v1/rooms/${room}/messages`, carol.token, { body: 'x', clientMsgId: 'c' }), { status: 403, json: { error: { code: 'forbidden' } } });
  t.match(await call('GET', `/api/v1/rooms/${room}/messages`, carol.token), { status: 403, json: { error: { code: 'forbidden' } } });
  t.match(await call('GET', '/api/v1/rooms/999/messages', bob.token), { status: 403, json: { error: { code: 'forbidden' } } });
});

t.test('an HTTP body over maxHttpBodyBytes is 413 too_large', async (t) => {
  const big = { body: 'x', clientMsgId: 'big', pad: 'p'.repeat(s.config.maxHttpBodyBytes + 10) };
  t.match(await call('POST', `/api/v1/rooms/${room}/messages`, alice.token, big), { status: 413, json: { error: { code: 'too_large' } } });
});

t.test('GET /api/v1/search: hits from the caller\'s rooms with snippet and highlights', async (t) => {
  await call('POST', `/api/v1/rooms/${room}/messages`, alice.token, { body: 'the zebra crossing is closed', clientMsgId: 'zebra-1' });
  const r = await call('GET', '/api/v1/search?q=zebra', bob.token);
  t.equal(r.status, 200);
  t.match(r.json, { hits: [{ room, body: 'the zebra crossing is closed', snippet: String, highlights: [[4, 9]] }] });
  const inRoom = await call('GET', `/api/v1/search?q=zebra&room=${room}&limit=1`, bob.token);
  t.equal(inRoom.json.hits.length, 1);
  t.same((await call('GET', '/api/v1/search?q=zebra', carol.token)).json, { hits: [] }, 'a non-member finds nothing');
  t.match(await call('GET', `/api/v1/search?q=zebra&room=${room}`, carol.token), { status: 403 });
  t.match(await call('GET', '/api/v1/search?q=', bob.token), { status: 400 });
});

t.test('GET /api/v1/search in a history: joined room finds only what came after the caller\'s join, as the search frame does', async (t) => {
  const a = await s.connect(alice.token);
  const c = await s.connect(carol.token);
  t.teardown(() => { a.close(); c.close(); });
  const lobby = (await a.request({ type: 'create_room', name: 'Lobby', joinRule: 'public', history: 'joined' })).room as string;
  t.match(await a.request({ type: 'send', room: lobby, body: 'quokka before carol', clientMsgId: 'q1' }), { type: 'ack' });
  t.match(await c.request({ type: 'join', room: lobby }), { type: 'ok' });
  t.match(await a.request({ type: 'send', room: lobby, body: 'quokka after carol', clientMsgId: 'q2' }), { type: 'ack' });
  // The index is fed after the commit: wait (bounded) until the later message is found.
  let frameHits: unknown[] = [];
  for (let i = 0; i < 100 && frameHits.length === 0; i++) {
    frameHits = (await c.request({ type: 'search', query: 'quokka' })).hits as unknown[];
    if (frameHits.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  t.match(frameHits, [{ body: 'quokka after carol' }], 'the search frame');
  const all = await call('GET', '/api/v1/search?q=quokka', carol.token);
  t.match(all, { status: 200, json: { hits: [{ room: lobby, body: 'quokka after carol' }] } });
  t.equal(all.json.hits.length, 1, 'over all the caller\'s rooms');
  const one = await call('GET', `/api/v1/search?q=quokka&room=${lobby}`, carol.token);
  t.same(one.json.hits.map((h: { body: string }) => h.body), ['quokka after carol'], 'and in the room named');
  t.same((await call('GET', '/api/v1/search?q=quokka', alice.token)).json.hits.length, 2, 'the creator finds both');
});

t.test('GET /healthz and GET /metrics', async (t) => {
  t.same(await call('GET', '/healthz').then((r) => [r.status, r.json]), [200, { status: 'ok' }]);
  const res = await fetch(`${s.http}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0.0.4/);
  const text = await res.text();
  t.match(text, /^# TYPE roost_connections gauge$/m);
  t.match(text, /^roost_messages_committed_total \d+$/m);
  t.match(text, /^roost_writer_batch_size_count \d+$/m);
});

t.test('an unknown route is 404 not_found', async (t) => {
  t.match(await call('GET', '/api/v1/nope', bob.token), { status: 404, json: { error: { code: 'not_found' } } });
});
