import * as policy from '../../../src/chat/policy.js';
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, createRoom } from '../../../src/store/admin/admin.js';
import { openReadOnly, openWritable } from '../../../src/store/db/database.js';
import { MatrixReader } from '../../../src/store/read/matrix-reader.js';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';

/** A writable connection (the writer's part) and a reader on its own read-only connection, as the server has them. */
function fixture(t: { teardown: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'roost-matrix-reader-'));
  const writable = openWritable(dir);
  const alice = addUser(writable, 'alice', 'member', 'x').id;
  const room = createRoom(writable, 'one', ['alice'], undefined, { entries: false }).id;
  const readDb = openReadOnly(dir);
  t.teardown(() => {
    readDb.close();
    writable.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const applier = new BatchApplier(writable, { rules: policy });
  let n = 0;
  const send = (): void => {
    n++;
    applier.apply([{ k: 'send', room, user: alice, clientMsgId: `m${n}`, body: `message ${n}` }], Date.now());
  };
  return { reader: new MatrixReader(readDb), readDb, send };
}

t.test('snapshot: every read inside sees the same commit; the next read after it sees the newer one', async (t) => {
  const { reader, readDb, send } = fixture(t);
  send();
  const before = reader.lastMessageId();
  const seen = reader.snapshot(() => {
    const first = reader.lastMessageId();
    send(); // committed by the other connection while the snapshot is open
    return { first, again: reader.lastMessageId(), positions: reader.positions().msg };
  });
  t.same(seen, { first: before, again: before, positions: before }, 'the commit made meanwhile is not seen inside');
  t.equal(reader.lastMessageId(), before + 1, 'and is seen once the snapshot ends');
  t.equal(readDb.inTransaction, false, 'no transaction is left open');
});

t.test('snapshot: a nested call joins the outer one; a throw ends the snapshot and reaches the caller', async (t) => {
  const { reader, readDb, send } = fixture(t);
  send();
  const outer = reader.snapshot(() => {
    const id = reader.lastMessageId();
    send();
    return { id, inner: reader.snapshot(() => reader.lastMessageId()) };
  });
  t.equal(outer.inner, outer.id, 'the inner call read on the outer snapshot');
  t.throws(() => reader.snapshot(() => {
    throw new Error('a bug in a handler');
  }), /a bug in a handler/);
  t.equal(readDb.inTransaction, false);
  t.equal(reader.lastMessageId(), outer.id + 1);
});
