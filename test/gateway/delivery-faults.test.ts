import t from 'tap';
import { sleep, startTestServer } from '../helpers/server.js';
import type { Frame, TestClient } from '../helpers/client.js';

// bob's socket fails as an ack is sent to it (a socket closed a moment earlier, a bug in one frame's path).
let failAcksOf: number | null = null;
const s = await startTestServer({}, {
  sendFault: (user, frame) => {
    if (user === failAcksOf && frame.startsWith('{"type":"ack"')) throw new Error('this socket fails on acks');
  },
});
t.teardown(() => s.close());
const alice = await s.user('alice');
const bob = await s.user('bob');
const carol = await s.user('carol');
const room = await s.room('general', ['alice', 'bob', 'carol']);

const unhandled: unknown[] = [];
const onUnhandled = (err: unknown): void => void unhandled.push(err);
process.on('unhandledRejection', onUnhandled);
t.teardown(() => void process.off('unhandledRejection', onUnhandled));

/** Sends `count` messages at once, each with its own request id; resolves with the reply to each. */
function burst(c: TestClient, who: string, count: number): Array<Promise<Frame>> {
  return Array.from({ length: count }, (_, i) => c.request({ type: 'send', room, body: `${who} ${i}`, clientMsgId: `${who}-${i}` }, 15_000));
}

/** The clientMsgIds of the `message` frames a client received, once there are `want` of them (bounded wait). */
async function messagesSeen(c: TestClient, want: number): Promise<Set<string>> {
  const seen = (): Set<string> => new Set(c.frames.filter((f) => f.type === 'message').map((f) => String(f.clientMsgId)));
  const until = Date.now() + 15_000;
  while (seen().size < want && Date.now() < until) await sleep(20);
  return seen();
}

t.test('one socket whose ack delivery throws costs only its own acks: every other socket gets its acks, every message reaches the room', async (t) => {
  const a = await s.connect(alice.token);
  const b = await s.connect(bob.token);
  const c = await s.connect(carol.token);
  failAcksOf = Number(bob.id);
  // Sent together, so bob's writes share commit batches with alice's and carol's.
  const replies = await Promise.all([...burst(a, 'alice', 20), ...burst(b, 'bob', 20), ...burst(c, 'carol', 20)]);
  failAcksOf = null;
  const ofAlice = replies.slice(0, 20);
  const ofBob = replies.slice(20, 40);
  const ofCarol = replies.slice(40);
  t.ok([...ofAlice, ...ofCarol].every((f) => f.type === 'ack'), 'alice and carol got all their acks');
  t.ok(ofBob.every((f) => f.type === 'error' && f.code === 'internal'), 'bob\'s sends are answered internal, with their request ids');
  // bob's messages were stored and published all the same: everyone sees all 60 (the sender's own socket included).
  for (const client of [a, b, c]) t.equal((await messagesSeen(client, 60)).size, 60);
  // bob's retry with the same clientMsgId learns the outcome: stored once, acked now.
  const retry = await b.request({ type: 'send', room, body: 'bob 0', clientMsgId: 'bob-0' });
  t.match(retry, { type: 'ack', room });
  t.same(unhandled, []);
});

t.test('the server keeps serving after failed deliveries: new sockets, sends and HTTP', async (t) => {
  const a = await s.connect(alice.token);
  t.match(await a.request({ type: 'send', room, body: 'still here', clientMsgId: 'after-1' }), { type: 'ack' });
  t.equal((await fetch(`${s.http}/healthz`)).status, 200);
  t.same(unhandled, []);
});
