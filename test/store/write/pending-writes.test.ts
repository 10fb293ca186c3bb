import t from 'tap';
import { PendingWrites } from '../../../src/store/write/pending-writes.js';
import { writeOpBytes } from '../../../src/store/write/write-op-size.js';
import type { WriteOp } from '../../../src/store/write/write-ops.js';

const op = (i: number): WriteOp => ({ k: 'read', room: 1, user: 1, seq: i });
const seqs = (ops: WriteOp[]): number[] => ops.map((o) => (o.k === 'read' ? o.seq : -1));

t.test('batches come out in submission order, each at most the size asked for, their bytes released as they go', (t) => {
  const q = new PendingWrites();
  for (let i = 0; i < 5000; i++) q.push(op(i), () => undefined, 10);
  t.equal(q.bytes, 50_000);
  const taken: number[] = [];
  let batches = 0;
  while (q.length > 0 && batches < 100) {
    const { ops, cbs } = q.take(700);
    t.equal(ops.length, cbs.length);
    t.ok(ops.length <= 700);
    taken.push(...seqs(ops));
    batches++;
    t.equal(q.bytes, q.length * 10, 'the bytes are those of what still waits');
  }
  t.same(taken, Array.from({ length: 5000 }, (_, i) => i), 'all of them, in order, across compactions');
  t.equal(batches, 8);
  t.end();
});

t.test('writes pushed while a backlog is being taken keep their place behind it', (t) => {
  const q = new PendingWrites();
  for (let i = 0; i < 3000; i++) q.push(op(i), () => undefined, 1);
  const first = q.take(2500);
  for (let i = 3000; i < 3100; i++) q.push(op(i), () => undefined, 1);
  const rest = q.drain();
  t.same([...seqs(first.ops), ...seqs(rest.ops)], Array.from({ length: 3100 }, (_, i) => i));
  t.equal(q.length, 0);
  t.equal(q.bytes, 0);
  t.end();
});

t.test('a write is estimated by its body, not serialised: two bytes a character plus attachments and a constant', (t) => {
  const base = writeOpBytes({ k: 'send', room: 1, user: 1, clientMsgId: 'c', body: '' });
  t.equal(writeOpBytes({ k: 'send', room: 1, user: 1, clientMsgId: 'c', body: 'x'.repeat(16_000) }), base + 32_000);
  t.ok(writeOpBytes({ k: 'send', room: 1, user: 1, clientMsgId: 'c', body: '', attachments: ['a', 'b'] }) > base);
  t.equal(writeOpBytes({ k: 'read', room: 1, user: 1, seq: 1 }), base);
  t.end();
});
