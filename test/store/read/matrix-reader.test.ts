import * as policy from '../../../src/chat/policy.js';
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMember, addUser, createRoom } from '../../../src/store/admin/admin.js';
import { openReadOnly, openWritable } from '../../../src/store/db/database.js';
import { MatrixReader } from '../../../src/store/read/matrix-reader.js';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';

/** A writable connection (the writer's part) and a read-only one on the same fresh database, as the server has them. */
function connections(t: { teardown: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'roost-matrix-reader-'));
  const writable = openWritable(dir);
  const readDb = openReadOnly(dir);
  t.teardown(() => {
    readDb.close();
    writable.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { writable, readDb };
}

/** alice in room "one", and a reader on its own read-only connection. */
function fixture(t: { teardown: (fn: () => void) => void }) {
  const { writable, readDb } = connections(t);
  const alice = addUser(writable, 'alice', 'member', 'x').id;
  const room = createRoom(writable, 'one', ['alice'], undefined, { entries: false }).id;
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

t.test('unreadOf: messages after the read mark less the entries among them, and the mentions after it', async (t) => {
  const { writable, readDb } = connections(t);
  const alice = addUser(writable, 'alice', 'member', 'x').id;
  const bob = addUser(writable, 'bob', 'member', 'x').id;
  addUser(writable, 'carol', 'member', 'x');
  const room = createRoom(writable, 'one', ['alice', 'bob']).id;
  const reader = new MatrixReader(readDb);
  const applier = new BatchApplier(writable, { rules: policy });
  const send = (body: string): void => void applier.apply([{ k: 'send', room, user: alice, clientMsgId: body, body }], Date.now());

  const joined = reader.unreadOf(room, bob);
  t.same({ entries: joined.entries, mentions: joined.mentions }, { entries: 0, mentions: 0 }, 'a new member has read up to their own join');
  t.equal(joined.read, joined.lastSeq);

  send('hello @bob');
  send('plain');
  addMember(writable, 'one', 'carol');
  send('after carol joined');
  const later = reader.unreadOf(room, bob);
  t.same(later, { read: joined.read, lastSeq: joined.read + 4, entries: 1, mentions: 1 }, 'three messages, one entry (carol\'s join), one mention');
  const sender = reader.unreadOf(room, alice);
  t.same({ unread: sender.lastSeq - sender.read, mentions: sender.mentions }, { unread: 0, mentions: 0 }, 'a sender has read their own message');

  applier.apply([{ k: 'read', room, user: bob, seq: joined.read + 2 }], Date.now());
  t.same(reader.unreadOf(room, bob), { read: joined.read + 2, lastSeq: joined.read + 4, entries: 1, mentions: 0 }, 'reading past the mention clears it');
  t.same(reader.unreadOf(room, 9999), { read: 0, lastSeq: 0, entries: 0, mentions: 0 }, 'a non-member has nothing unread');
});

t.test('readsAfter: the marks moved by reading after a position, told by whole positions, about `limit` at a time', async (t) => {
  const { writable, readDb } = connections(t);
  const names = ['ann', 'ben', 'cat', 'dan', 'eve'];
  const ids = names.map((n) => addUser(writable, n, 'member', 'x').id);
  const room = createRoom(writable, 'busy', names, undefined, { entries: false }).id;
  // Positions as the writer leaves them: ann and ben read in the batch at 10, cat and dan at 20, eve at 30.
  const at = [10, 10, 20, 20, 30];
  ids.forEach((id, i) => writable.prepare('UPDATE members SET read_seq = ?, read_pos = ? WHERE room_id = ? AND user_id = ?').run(i + 1, at[i], room, id));
  const reader = new MatrixReader(readDb);
  const who = (r: { marks: Array<{ user: number; seq: number }>; through: number }) =>
    ({ users: r.marks.map((m) => names[ids.indexOf(m.user)]).sort(), through: r.through });

  t.same(who(reader.readsAfter(0, 30, 10)), { users: names, through: 30 }, 'within the limit: every mark in the range');
  t.same(reader.readsAfter(0, 30, 10).marks.find((m) => m.user === ids[4]), { room, user: ids[4], seq: 5 }, 'each with its room and seq');
  t.same(who(reader.readsAfter(10, 25, 10)), { users: ['cat', 'dan'], through: 25 }, 'only positions after the first and up to the last');
  t.same(who(reader.readsAfter(0, 30, 3)), { users: ['ann', 'ben'], through: 19 },
    'past the limit the answer stops before the position the limit falls in: none of its marks is split off');
  t.same(who(reader.readsAfter(19, 30, 3)), { users: ['cat', 'dan', 'eve'], through: 30 }, 'and the next one goes on from there');
  t.same(who(reader.readsAfter(0, 30, 1)), { users: ['ann', 'ben'], through: 10 },
    'a first position holding more marks than the limit is told whole, so each answer moves on');
  t.same(who(reader.readsAfter(30, 40, 3)), { users: [], through: 40 }, 'nothing moved: nothing told, the whole range covered');
});
