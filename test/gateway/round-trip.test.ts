import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { TestClient, type Frame } from '../helpers/client.js';

const s = await startTestServer();
t.teardown(() => s.close());
const alice = await s.user('alice');
const bob = await s.user('bob');
const room = await s.room('general', ['alice', 'bob']);

const connect = (token: string): Promise<TestClient> => s.connect(token);

t.test('a message sent by one member reaches both members, the sender\'s own socket included, after its ack', async (t) => {
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  const ack = await a.request({ type: 'send', room, body: 'hi bob', clientMsgId: 'rt-1' });
  t.match(ack, { type: 'ack', room, seq: 1, msgId: /^\d+$/, ts: Number });
  const expected = { type: 'message', room, seq: 1, body: 'hi bob', from: alice.id, msgId: ack.msgId, ts: ack.ts, clientMsgId: 'rt-1' };
  t.same(await b.next((f) => f.type === 'message'), expected);
  t.same(await a.next((f) => f.type === 'message'), expected);
  const ackAt = a.frames.indexOf(ack);
  const msgAt = a.frames.findIndex((f) => f.type === 'message');
  t.ok(ackAt < msgAt, 'the sender sees its ack before its message');
});

t.test('every socket of a user, a second device included, gets the room\'s messages', async (t) => {
  const phone = await connect(bob.token);
  const laptop = await connect(bob.token);
  const a = await connect(alice.token);
  const ack = await a.request({ type: 'send', room, body: 'to both devices', clientMsgId: 'rt-2' });
  for (const device of [phone, laptop]) {
    t.match(await device.next((f) => f.type === 'message' && f.msgId === ack.msgId), { body: 'to both devices', from: alice.id });
  }
  // And a send from one device reaches the other device of the same user.
  const own = await phone.request({ type: 'send', room, body: 'from my phone', clientMsgId: 'rt-3' });
  t.match(await laptop.next((f) => f.type === 'message' && f.msgId === own.msgId), { from: bob.id, body: 'from my phone' });
});

t.test('a retried send with the same clientMsgId gets the same ack and is delivered once', async (t) => {
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  const first = await a.request({ type: 'send', room, body: 'once', clientMsgId: 'rt-retry' });
  const again = await a.request({ type: 'send', room, body: 'once', clientMsgId: 'rt-retry' });
  t.same({ ...again, id: undefined }, { ...first, id: undefined });
  const marker = await a.request({ type: 'send', room, body: 'after', clientMsgId: 'rt-after' });
  await b.next((f) => f.type === 'message' && f.msgId === marker.msgId);
  const copies = b.frames.filter((f: Frame) => f.type === 'message' && f.msgId === first.msgId);
  t.equal(copies.length, 1);
  t.equal(marker.seq, (first.seq as number) + 1, 'the retry used no seq');
});

t.test('seqs stay gap-free when several sockets send at once', async (t) => {
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  const before = (await a.request({ type: 'history', room, limit: 1 })).messages as Array<{ seq: number }>;
  const start = before[0]?.seq ?? 0;
  const acks = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    (i % 2 === 0 ? a : b).request({ type: 'send', room, body: `burst ${i}`, clientMsgId: `rt-burst-${i}` })));
  const seqs = acks.map((x) => x.seq as number).sort((x, y) => x - y);
  t.same(seqs, Array.from({ length: 40 }, (_, i) => start + i + 1));
  t.equal(new Set(acks.map((x) => x.msgId)).size, 40);
});
