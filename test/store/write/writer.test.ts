import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writer } from '../../../src/store/write/writer.js';
import { openWritable } from '../../../src/store/db/database.js';
import { addUser, createRoom } from '../../../src/store/admin/admin.js';

t.test('the writer thread commits sends with gap-free seqs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = openWritable(dir);
  const u = addUser(db, 'alice', 'member', 'x');
  const room = createRoom(db, 'general', ['alice']);
  db.close();
  const writer = await Writer.start({ dataDir: dir, synchronous: 'FULL', queueMax: 1000, batchMax: 100 });
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    writer.run({ k: 'send', room: room.id, user: u.id, clientMsgId: `m${i}`, body: `hello ${i}` })));
  t.same(results.map((r) => (r.ok ? r.seq : -1)), Array.from({ length: 50 }, (_, i) => i + 1));
  await writer.close();
});
