import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';

t.test('a message sent by one member reaches both members after its ack', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const room = await s.room('general', ['alice', 'bob']);
  const a = await TestClient.connect(s.ws, alice.token);
  const b = await TestClient.connect(s.ws, bob.token);
  t.teardown(() => { a.close(); b.close(); });
  const ack = await a.request({ type: 'send', room, body: 'hi bob', clientMsgId: 'c1' });
  t.match(ack, { type: 'ack', room, seq: 1 });
  const got = await b.next((f) => f.type === 'message');
  t.match(got, { room, seq: 1, body: 'hi bob', from: alice.id, msgId: ack.msgId });
});
