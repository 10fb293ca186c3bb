import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';
import { openReadOnly } from '../../src/store/db/database.js';

t.test('closing the server commits and acks what it had read, then closes every socket with 1001', async (t) => {
  const s = await startTestServer({ framesPerSecond: 0 });
  let closed = false;
  t.teardown(() => (closed ? undefined : s.close()));
  const alice = await s.user('alice');
  const room = await s.room('general', ['alice']);
  const a = await TestClient.connect(s.ws, alice.token);
  const b = await TestClient.connect(s.ws, alice.token);
  // 200 sends on their way when the shutdown starts.
  for (let i = 0; i < 200; i++) a.send({ type: 'send', id: `q${i}`, room, body: `m${i}`, clientMsgId: `c${i}` });
  await a.next((f) => f.type === 'ack');
  const shutdown = s.server.close();
  const [ca, cb] = await Promise.all([a.closed, b.closed]);
  t.equal(ca.code, 1001);
  t.equal(cb.code, 1001);
  await shutdown;
  closed = true;
  // Frames still in flight on the network when the close began may be stored without an ack (a
  // retry with the same clientMsgId gets it); everything acked must be stored.
  const acks = a.frames.filter((f) => f.type === 'ack').map((f) => f.seq as number);
  t.ok(acks.length > 0, `${acks.length} acks before the close`);
  t.same(acks, acks.map((_, i) => i + 1), 'acks arrive in seq order, none missing in between');
  const db = openReadOnly(s.dataDir);
  const seqs = (db.prepare('SELECT seq FROM messages ORDER BY seq').all() as Array<{ seq: number }>).map((r) => r.seq);
  db.close();
  t.ok(seqs.length >= acks.length && seqs.length <= 200, `${seqs.length} stored`);
  t.same(seqs, seqs.map((_, i) => i + 1), 'stored seqs are 1..n');
  await t.rejects(TestClient.connect(s.ws, alice.token), 'no new connections after the close');
  await s.close();
});
