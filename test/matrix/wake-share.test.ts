import * as policy from '../../src/chat/policy.js';
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, createRoom, removeMember } from '../../src/store/admin/admin.js';
import { openReadOnly, openWritable } from '../../src/store/db/database.js';
import { MatrixReader } from '../../src/store/read/matrix-reader.js';
import { BatchApplier } from '../../src/store/write/batch-applier.js';
import { MatrixIds } from '../../src/matrix/ids.js';
import { SCAN_MOVED_IDS, WakeShare } from '../../src/matrix/wake-share.js';

/** Three rooms on a fresh database, a sender in all of them, and a share on the read-only connection. */
function fixture(t: { teardown: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'roost-wake-share-'));
  const db = openWritable(dir);
  const readDb = openReadOnly(dir);
  t.teardown(() => {
    readDb.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ann = addUser(db, 'ann', 'member', 'x').id;
  const ben = addUser(db, 'ben', 'member', 'x').id;
  const rooms = ['one', 'two', 'three'].map((name) => createRoom(db, name, ['ann', 'ben'], undefined, { entries: false }).id);
  const applier = new BatchApplier(db, { rules: policy });
  let n = 0;
  const send = (room: number): void => {
    n++;
    applier.apply([{ k: 'send', room, user: ann, clientMsgId: `m${n}`, body: `message ${n}` }], Date.now());
  };
  const reader = new MatrixReader(readDb);
  return { db, reader, rooms, send, ann, ben, share: () => new WakeShare(reader, new MatrixIds('roost.test')) };
}

t.test('roomsWithRows: the rooms that had messages in a span of ids, each once, read once for every poll that asks', async (t) => {
  const { reader, rooms, send, share } = fixture(t);
  const [one = 0, two = 0, three = 0] = rooms;
  send(one);
  const before = reader.lastMessageId();
  send(three);
  send(one);
  send(three);
  const through = reader.lastMessageId();
  send(two);
  const s = share();
  t.same(s.roomsWithRows(before, through), [one, three], 'the rooms with rows after the token, through the head the answer stops at');
  t.equal(s.roomsWithRows(before, through), s.roomsWithRows(before, through), 'asked again, the same list (read once)');
  t.same(s.roomsWithRows(through, through), [], 'an empty span has no rooms');
  t.equal(s.roomsWithRows(0, SCAN_MOVED_IDS + 1), undefined, 'a span wider than SCAN_MOVED_IDS is not read: that poll asks room by room');
  t.ok(Array.isArray(s.roomsWithRows(0, SCAN_MOVED_IDS)), 'and one of exactly SCAN_MOVED_IDS is');
});

t.test('hasStanding: whether a user was invited to, left or was removed from a room', async (t) => {
  const { db, rooms, share, ann, ben } = fixture(t);
  const [one = 0, two = 0] = rooms;
  removeMember(db, 'one', 'ben');
  const s = share();
  t.ok(s.hasStanding(one, ben), 'ben was removed from one');
  t.notOk(s.hasStanding(one, ann), 'ann is still in it');
  t.notOk(s.hasStanding(two, ben), 'ben is still in two');
  t.notOk(s.hasStanding(9999, ben), 'no room, no standing');
});
