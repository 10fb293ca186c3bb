import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';

const s = await startTestServer();
t.teardown(() => s.close());
const alice = await s.user('alice');
const bob = await s.user('bob');
const room = await s.room('general', ['alice', 'bob']);

const connect = (token: string): Promise<TestClient> => s.connect(token);


/** Another client still gets served: a new connection and a durable send. Resolves with the reply's type. */
async function anotherClientServed(tag: string): Promise<string> {
  const b = await connect(bob.token);
  const reply = await b.request({ type: 'send', room, body: `still here after ${tag}`, clientMsgId: `alive-${tag}` });
  return reply.type;
}

t.test('malformed frames each get bad_request and the socket stays open', async (t) => {
  const c = await connect(alice.token);
  const cases: Array<[string, string]> = [
    ['not JSON', 'hello there'],
    ['not an object', '[1,2,3]'],
    ['a bare string', '"send"'],
    ['missing type', '{"room":"1"}'],
    ['unknown type', '{"type":"shout"}'],
    ['send without body', JSON.stringify({ type: 'send', room, clientMsgId: 'x' })],
    ['send without clientMsgId', JSON.stringify({ type: 'send', room, body: 'x' })],
    ['body of the wrong type', JSON.stringify({ type: 'send', room, body: 42, clientMsgId: 'x' })],
    ['room of the wrong type', JSON.stringify({ type: 'history', room: 7 })],
    ['seq of the wrong type', JSON.stringify({ type: 'read', room, seq: 'last' })],
    ['since of the wrong type', JSON.stringify({ type: 'sync', since: [1, 2] })],
  ];
  for (const [what, text] of cases) {
    c.sendRaw(text);
    t.match(await c.next((f) => f.type === 'error'), { type: 'error', code: 'bad_request', message: String }, what);
  }
  t.match(await c.request({ type: 'ping' }), { type: 'pong' }, 'still open');
  const page = await c.request({ type: 'history', room });
  t.same(page.messages, [], 'nothing was stored');
});

t.test('an error reply echoes the id of a frame whose id was readable', async (t) => {
  const c = await connect(alice.token);
  c.sendRaw(JSON.stringify({ type: 'send', id: 'mine-1', room }));
  t.match(await c.next((f) => f.type === 'error'), { id: 'mine-1', code: 'bad_request' });
  c.sendRaw(JSON.stringify({ type: 'frobnicate', id: 'mine-2' }));
  t.match(await c.next((f) => f.type === 'error'), { id: 'mine-2', code: 'bad_request' });
});

t.test('a binary frame is bad_request: frames are UTF-8 text', async (t) => {
  const c = await connect(alice.token);
  c.sendRaw(Buffer.from([0xff, 0xfe, 0x00]));
  t.match(await c.next((f) => f.type === 'error'), { code: 'bad_request', message: /UTF-8 text/ });
  t.match(await c.request({ type: 'ping' }), { type: 'pong' });
});

t.test('a body with lone surrogates is bad_request and stores nothing', async (t) => {
  const c = await connect(alice.token);
  for (const escaped of ['\\ud800', 'abc\\udc00def', '\\ude00\\ud83d']) {
    c.sendRaw(`{"type":"send","id":"sur","room":"${room}","clientMsgId":"sur","body":"${escaped}"}`);
    t.match(await c.next((f) => f.type === 'error'), { id: 'sur', code: 'bad_request', message: /well-formed/ }, escaped);
  }
  const ok = await c.request({ type: 'send', room, body: 'a real pair: 😀', clientMsgId: 'pair' });
  t.equal(ok.seq, 1, 'none of the refused bodies took a seq');
  t.match(await c.request({ type: 'history', room }), { messages: [{ body: 'a real pair: 😀' }] });
});

t.test('a body over maxBodyChars is too_large and the socket stays open', async (t) => {
  const c = await connect(alice.token);
  const reply = await c.request({ type: 'send', room, body: 'x'.repeat(s.config.maxBodyChars + 1), clientMsgId: 'long' });
  t.match(reply, { type: 'error', code: 'too_large' });
  t.match(await c.request({ type: 'ping' }), { type: 'pong' });
});

t.test('an unknown room is forbidden', async (t) => {
  const c = await connect(alice.token);
  t.match(await c.request({ type: 'send', room: '424242', body: 'x', clientMsgId: 'u1' }), { type: 'error', code: 'forbidden' });
  t.match(await c.request({ type: 'history', room: 'general' }), { type: 'error', code: 'forbidden' }, 'a name is not an id');
});

t.test('SQL meta-characters in every string field are data, stored and echoed verbatim', async (t) => {
  const c = await connect(alice.token);
  const b = await connect(bob.token);
  const nasty = "'; DROP TABLE messages; --";
  const body = `${nasty} \" OR 1=1 /* */ %_ \\ ); DELETE FROM rooms WHERE '1'='1`;
  const id = `${nasty}`.slice(0, 64);
  const clientMsgId = `x'); DROP TABLE users; --`;
  const ack = await c.request({ type: 'send', room, body, clientMsgId });
  t.match(ack, { type: 'ack', room });
  t.match(await b.next((f) => f.type === 'message' && f.msgId === ack.msgId), { body });
  c.send({ type: 'ping', id });
  t.same(await c.next((f) => f.type === 'pong'), { type: 'pong', id }, 'the id is echoed verbatim');
  t.match(await c.request({ type: 'send', room, body, clientMsgId }), { seq: ack.seq }, 'the clientMsgId is matched exactly');
  t.match(await c.request({ type: 'history', room: nasty }), { type: 'error', code: 'forbidden' });
  t.match(await c.request({ type: 'sync', since: { [nasty]: 0 } }), { type: 'error', code: 'forbidden' });
  t.match(await c.request({ type: 'search', query: nasty }), { type: 'results', hits: [{ body }] });
  t.match(await c.request({ type: 'search', query: "DROP\" OR * NEAR( messages:x" }), { type: 'results' }, 'FTS syntax in a query is data too');
  const page = await c.request({ type: 'history', room, limit: 200 });
  t.ok((page.messages as Array<{ body: string }>).some((m) => m.body === body));
  const login = await fetch(`${s.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: "admin' --", password: "' OR '1'='1" }) });
  t.equal(login.status, 401);
  t.equal((await c.request({ type: 'rooms' })).type, 'rooms', 'the tables are all still there');
});

t.test('a frame between maxFrameBytes and 4x is closed with 1009', async (t) => {
  const c = await connect(alice.token);
  c.sendRaw(JSON.stringify({ type: 'send', room, clientMsgId: 'big', body: 'x'.repeat(s.config.maxFrameBytes + 100) }));
  t.match(await c.closedWithin(20_000), { code: 1009 });
  t.equal(await anotherClientServed('an oversized frame'), 'ack', 'another client is still served');
});

t.test('a 1 MiB frame is dropped by uWS: the connection ends without a close frame (1006)', async (t) => {
  const c = await connect(alice.token);
  c.sendRaw(JSON.stringify({ type: 'send', room, clientMsgId: 'huge', body: 'x'.repeat(1024 * 1024) }));
  t.match(await c.closedWithin(20_000), { code: 1006 });
  t.equal(await anotherClientServed('a 1 MiB frame'), 'ack', 'another client is still served');
});

t.test('10,000 bad frames from one socket: closed with 1008 long before the end, others unaffected', async (t) => {
  const c = await connect(alice.token);
  const b = await connect(bob.token);
  for (let i = 0; i < 10_000 && c.socket.readyState === c.socket.OPEN; i++) c.sendRaw(`garbage ${i}`);
  const closed = await c.closedWithin(20_000);
  t.match(closed, { code: 1008 });
  const errors = c.frames.filter((f) => f.type === 'error').length;
  t.ok(errors <= 200, `${errors} error replies before the close`);
  t.match(await b.request({ type: 'ping' }), { type: 'pong' }, 'a client already connected is served');
  t.equal(await anotherClientServed('a flood of bad frames'), 'ack', 'another client is still served');
});
