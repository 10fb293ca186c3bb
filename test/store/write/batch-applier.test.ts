import * as policy from '../../../src/chat/policy.js';
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';
import { openWritable, type Db } from '../../../src/store/db/database.js';
import { addUser, createRoom } from '../../../src/store/admin/admin.js';
import type { WriteOp, WriteResult } from '../../../src/store/write/write-ops.js';

interface Fixture { db: Db; applier: BatchApplier; alice: number; bob: number; carol: number; r1: number; r2: number }

/** A fresh database: alice and bob in r1, alice in r2, carol in neither. */
function fixture(t: Tap): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'roost-applier-'));
  const db = openWritable(dir);
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const alice = addUser(db, 'alice', 'member', 'x').id;
  const bob = addUser(db, 'bob', 'member', 'x').id;
  const carol = addUser(db, 'carol', 'member', 'x').id;
  const r1 = createRoom(db, 'one', ['alice', 'bob'], undefined, { entries: false }).id;
  const r2 = createRoom(db, 'two', ['alice'], undefined, { entries: false }).id;
  return { db, applier: new BatchApplier(db, { rules: policy }), alice, bob, carol, r1, r2 };
}
type Tap = { teardown: (fn: () => void) => void };

const send = (room: number, user: number, clientMsgId: string, body = `body of ${clientMsgId}`): WriteOp =>
  ({ k: 'send', room, user, clientMsgId, body });

function seqs(results: WriteResult[]): number[] {
  return results.map((r) => (r.ok && 'seq' in r ? r.seq : -1));
}

function stored(db: Db, room: number): Array<{ seq: number; client_msg_id: string; body: string }> {
  return db.prepare('SELECT seq, client_msg_id, body FROM messages WHERE room_id = ? ORDER BY seq').all(room) as Array<{ seq: number; client_msg_id: string; body: string }>;
}

const lastSeq = (db: Db, room: number): number => (db.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(room) as { last_seq: number }).last_seq;
const readSeq = (db: Db, room: number, user: number): number =>
  (db.prepare('SELECT read_seq FROM members WHERE room_id = ? AND user_id = ?').get(room, user) as { read_seq: number }).read_seq;

t.test('seqs run 1..n in each room, gap-free, across interleaved rooms and batches', async (t) => {
  const f = fixture(t);
  const first = f.applier.apply([send(f.r1, f.alice, 'a1'), send(f.r2, f.alice, 'a2'), send(f.r1, f.bob, 'b1'), send(f.r1, f.alice, 'a3')], 1000);
  t.same(seqs(first), [1, 1, 2, 3]);
  const second = f.applier.apply([send(f.r2, f.alice, 'a4'), send(f.r1, f.bob, 'b2')], 1001);
  t.same(seqs(second), [2, 4]);
  t.same(stored(f.db, f.r1).map((m) => m.seq), [1, 2, 3, 4]);
  t.same(stored(f.db, f.r2).map((m) => m.seq), [1, 2]);
  t.equal(lastSeq(f.db, f.r1), 4);
  t.equal(lastSeq(f.db, f.r2), 2);
});

t.test('a fresh applier on the same database continues the seqs', async (t) => {
  const f = fixture(t);
  f.applier.apply([send(f.r1, f.alice, 'a1'), send(f.r1, f.alice, 'a2')], 1000);
  const again = new BatchApplier(f.db, { rules: policy });
  t.same(seqs(again.apply([send(f.r1, f.bob, 'b1')], 1001)), [3]);
});

t.test('a send returns its message frame, serialised with string ids', async (t) => {
  const f = fixture(t);
  const [r] = f.applier.apply([send(f.r1, f.alice, 'a1', 'hello')], 1234);
  t.ok(r?.ok && 'frame' in r && r.frame !== undefined);
  if (!r?.ok || !('msgId' in r)) return;
  t.same(JSON.parse(r.frame ?? '{}'), { type: 'message', room: String(f.r1), seq: 1, msgId: String(r.msgId), from: String(f.alice), body: 'hello', ts: 1234, clientMsgId: 'a1' });
  t.equal(r.duplicate, false);
});

t.test('a repeated clientMsgId returns the first ack and stores nothing new, also within one batch', async (t) => {
  const f = fixture(t);
  const [first] = f.applier.apply([send(f.r1, f.alice, 'dup', 'one')], 1000);
  const [retry] = f.applier.apply([send(f.r1, f.alice, 'dup', 'changed body')], 2000);
  t.match(retry, { ok: true, seq: 1, duplicate: true, ts: 1000 });
  t.equal(retry && 'frame' in retry ? retry.frame : undefined, undefined, 'a duplicate is not published again');
  t.equal(first && 'msgId' in first && retry && 'msgId' in retry && first.msgId === retry.msgId, true);
  const inOne = f.applier.apply([send(f.r1, f.alice, 'twice'), send(f.r1, f.alice, 'twice')], 3000);
  t.match(inOne, [{ ok: true, seq: 2, duplicate: false }, { ok: true, seq: 2, duplicate: true }]);
  t.same(stored(f.db, f.r1).map((m) => m.client_msg_id), ['dup', 'twice']);
  t.equal(stored(f.db, f.r1)[0]?.body, 'one');
});

t.test('the same clientMsgId from another sender is another message', async (t) => {
  const f = fixture(t);
  t.same(seqs(f.applier.apply([send(f.r1, f.alice, 'same'), send(f.r1, f.bob, 'same')], 1000)), [1, 2]);
});

t.test('a clientMsgId reused for another room is a conflict and stores nothing', async (t) => {
  const f = fixture(t);
  f.applier.apply([send(f.r1, f.alice, 'c1')], 1000);
  const [r] = f.applier.apply([send(f.r2, f.alice, 'c1')], 1001);
  t.match(r, { ok: false, code: 'conflict' });
  t.same(stored(f.db, f.r2), []);
  t.equal(lastSeq(f.db, f.r2), 0);
});

t.test('a non-member send is forbidden and stores nothing; the rest of the batch commits', async (t) => {
  const f = fixture(t);
  const results = f.applier.apply([send(f.r1, f.carol, 'x'), send(f.r1, f.alice, 'a1'), send(9999, f.alice, 'nowhere')], 1000);
  t.match(results, [{ ok: false, code: 'forbidden' }, { ok: true, seq: 1 }, { ok: false, code: 'forbidden' }]);
  t.same(stored(f.db, f.r1).map((m) => m.client_msg_id), ['a1']);
  t.equal((f.db.prepare('SELECT count(*) AS n FROM messages WHERE sender_id = ?').get(f.carol) as { n: number }).n, 0);
});

t.test('sending moves the sender\'s own read marker to the message', async (t) => {
  const f = fixture(t);
  f.applier.apply([send(f.r1, f.alice, 'a1'), send(f.r1, f.alice, 'a2')], 1000);
  t.equal(readSeq(f.db, f.r1, f.alice), 2);
  t.equal(readSeq(f.db, f.r1, f.bob), 0);
});

t.test('read markers only move forward and are clamped to the room\'s last seq', async (t) => {
  const f = fixture(t);
  f.applier.apply([send(f.r1, f.alice, 'a1'), send(f.r1, f.alice, 'a2'), send(f.r1, f.alice, 'a3')], 1000);
  const read = (seq: number): WriteOp => ({ k: 'read', room: f.r1, user: f.bob, seq });
  t.match(f.applier.apply([read(2)], 1), [{ ok: true, seq: 2, moved: true }]);
  t.match(f.applier.apply([read(1)], 1), [{ ok: true, seq: 2, moved: false }]);
  t.equal(readSeq(f.db, f.r1, f.bob), 2);
  t.match(f.applier.apply([read(99)], 1), [{ ok: true, seq: 3, moved: true }]);
  t.equal(readSeq(f.db, f.r1, f.bob), 3);
  t.match(f.applier.apply([read(3)], 1), [{ ok: true, seq: 3, moved: false }]);
  t.match(f.applier.apply([{ k: 'read', room: f.r1, user: f.carol, seq: 1 }], 1), [{ ok: false, code: 'forbidden' }]);
});

t.test('several reads in one batch keep the furthest marker', async (t) => {
  const f = fixture(t);
  f.applier.apply([send(f.r1, f.alice, 'a1'), send(f.r1, f.alice, 'a2'), send(f.r1, f.alice, 'a3')], 1000);
  const read = (seq: number): WriteOp => ({ k: 'read', room: f.r1, user: f.bob, seq });
  t.match(f.applier.apply([read(3), read(1)], 1), [{ ok: true, seq: 3, moved: true }, { ok: true, seq: 3, moved: false }]);
  t.equal(readSeq(f.db, f.r1, f.bob), 3);
});

t.test('a batch that fails part-way stores nothing, and later batches stay gap-free', async (t) => {
  const f = fixture(t);
  f.applier.apply([send(f.r1, f.alice, 'before')], 1000);
  // Make the third insert of the next batch fail inside the transaction.
  f.db.exec(`CREATE TEMP TRIGGER fail_on_poison BEFORE INSERT ON main.messages
    WHEN NEW.client_msg_id = 'poison' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  t.throws(() => f.applier.apply([send(f.r1, f.alice, 'ok1'), send(f.r2, f.alice, 'ok2'), send(f.r1, f.bob, 'poison'), send(f.r1, f.alice, 'ok3')], 2000), { message: /disk says no/ });
  t.same(stored(f.db, f.r1).map((m) => m.client_msg_id), ['before']);
  t.same(stored(f.db, f.r2), []);
  t.equal(lastSeq(f.db, f.r1), 1);
  t.equal(lastSeq(f.db, f.r2), 0);
  t.equal(readSeq(f.db, f.r1, f.alice), 1);
  f.db.exec('DROP TRIGGER fail_on_poison');
  t.same(seqs(f.applier.apply([send(f.r1, f.alice, 'ok1'), send(f.r2, f.alice, 'ok2'), send(f.r1, f.bob, 'after')], 3000)), [2, 1, 3]);
  t.same(stored(f.db, f.r1).map((m) => m.seq), [1, 2, 3]);
  t.same(stored(f.db, f.r2).map((m) => m.seq), [1]);
});

t.test('SQL meta-characters are stored verbatim as data', async (t) => {
  const f = fixture(t);
  const nasty = "'; DROP TABLE messages; -- \" \\ %_ \0 )) OR 1=1";
  const [r] = f.applier.apply([send(f.r1, f.alice, "x'); DELETE FROM rooms; --", nasty)], 1000);
  t.match(r, { ok: true, seq: 1 });
  t.same(stored(f.db, f.r1), [{ seq: 1, client_msg_id: "x'); DELETE FROM rooms; --", body: nasty }]);
  t.equal((f.db.prepare('SELECT count(*) AS n FROM rooms').get() as { n: number }).n, 2);
});

t.test('tokens are stored by hash and revoked once', async (t) => {
  const f = fixture(t);
  const hash = 'ab'.repeat(32);
  t.same(f.applier.apply([{ k: 'token', hash, user: f.alice, expiresAt: 5000, ip: '127.0.0.1' }], 1000), [{ ok: true }]);
  t.same(f.applier.apply([{ k: 'revoke', hash }], 2000), [{ ok: true }]);
  f.applier.apply([{ k: 'revoke', hash }], 3000);
  const row = f.db.prepare('SELECT user_id, expires_at, revoked_at FROM tokens').get() as { user_id: number; expires_at: number; revoked_at: number };
  t.same(row, { user_id: f.alice, expires_at: 5000, revoked_at: 2000 });
});

t.test('a sender\'s own marker moving onto their message takes no Matrix stream position; reading another\'s message does', async (t) => {
  const f = fixture(t);
  const readPos = (user: number): number => (f.db.prepare('SELECT read_pos FROM members WHERE room_id = ? AND user_id = ?').get(f.r1, user) as { read_pos: number }).read_pos;
  const readRows = (): Array<{ pos: number }> => f.db.prepare("SELECT pos FROM matrix_stream WHERE kind = 'read'").all() as Array<{ pos: number }>;
  f.applier.apply([send(f.r1, f.alice, 'a1')], 1);
  t.equal((f.db.prepare('SELECT read_seq FROM members WHERE room_id = ? AND user_id = ?').get(f.r1, f.alice) as { read_seq: number }).read_seq, 1, 'alice has read what she sent');
  t.equal(readPos(f.alice), 0, 'no position for it: clients infer that receipt from the sender');
  t.same(readRows(), [], 'and no stream row');
  f.applier.apply([{ k: 'read', room: f.r1, user: f.bob, seq: 1 }], 2);
  const first = readRows();
  t.equal(first.length, 1, 'bob reading alice\'s message takes a stream position');
  t.equal(readPos(f.bob), first[0]?.pos, 'kept on his members row');
  f.applier.apply([send(f.r1, f.bob, 'b1')], 3);
  t.equal(readPos(f.bob), first[0]?.pos, 'his own send moves his mark, not its position');
  f.applier.apply([{ k: 'read', room: f.r1, user: f.alice, seq: 2 }], 4);
  const second = readRows();
  t.equal(second.length, 1, 'one stream row stands for the newest batch of marks: the one before is replaced');
  t.ok((second[0]?.pos ?? 0) > (first[0]?.pos ?? 0), 'at a later position');
  t.equal(readPos(f.alice), second[0]?.pos);
  t.equal(readPos(f.bob), first[0]?.pos, 'an earlier reader keeps the position they read at');
});

t.test('the marks read in one batch share one position; a mark that does not move takes none', async (t) => {
  const f = fixture(t);
  f.applier.apply([send(f.r1, f.alice, 'a1'), send(f.r1, f.alice, 'a2'), send(f.r2, f.alice, 'a3')], 1);
  const positions = (): Array<{ room_id: number; user_id: number; read_seq: number; read_pos: number }> =>
    f.db.prepare('SELECT room_id, user_id, read_seq, read_pos FROM members WHERE read_pos > 0 ORDER BY room_id, user_id').all() as Array<{ room_id: number; user_id: number; read_seq: number; read_pos: number }>;
  const results = f.applier.apply([
    { k: 'read', room: f.r1, user: f.bob, seq: 1 },
    { k: 'read', room: f.r1, user: f.bob, seq: 2 },
    { k: 'read', room: f.r2, user: f.alice, seq: 1 },
  ], 2);
  t.same(results, [{ ok: true, seq: 1, moved: true }, { ok: true, seq: 2, moved: true }, { ok: true, seq: 1, moved: false }],
    'alice\'s mark in r2 is already on her own message');
  const rows = positions();
  t.same(rows.map((r) => [r.room_id, r.user_id, r.read_seq]), [[f.r1, f.bob, 2]], 'bob\'s mark, written once at the newest seq he read');
  const pos = (f.db.prepare("SELECT pos FROM matrix_stream WHERE kind = 'read'").get() as { pos: number }).pos;
  t.equal(rows[0]?.read_pos, pos, 'at the batch\'s position');
  f.applier.apply([{ k: 'read', room: f.r1, user: f.bob, seq: 2 }], 3);
  t.same(positions(), rows, 'reading again what was read moves nothing');
  t.equal((f.db.prepare("SELECT pos FROM matrix_stream WHERE kind = 'read'").get() as { pos: number }).pos, pos, 'and takes no new position');
});
