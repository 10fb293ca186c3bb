import t from 'tap';
import { GENESIS, messageHash } from '../../../src/store/history/chain.js';
import { verifyChains } from '../../../src/store/history/verify.js';
import { setHold } from '../../../src/store/history/retention.js';
import { historyFixture, DAY } from '../history-fixture.js';

const T0 = Date.UTC(2024, 0, 1);

t.test('a room written by the writer verifies, and each row chains from the previous one', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['one', 'two', 'three'], T0);
  f.send(f.rooms.secret, ['x'], T0);
  const report = verifyChains(f.db);
  t.equal(report.ok, true);
  t.same(report.rooms.map((r) => [r.room, r.messages]), [[f.rooms.general, 3], [f.rooms.secret, 1]]);
  const rows = f.db.prepare('SELECT id, room_id, seq, sender_id, client_msg_id, body, ts, hash FROM messages WHERE room_id = ? ORDER BY seq').all(f.rooms.general) as Array<{ id: number; room_id: number; seq: number; sender_id: number; client_msg_id: string; body: string; ts: number; hash: Buffer }>;
  let prev = GENESIS;
  for (const r of rows) {
    t.same(r.hash, messageHash(prev, r), `seq ${r.seq} hash = SHA-256(previous hash, canonical fields)`);
    prev = r.hash;
  }
  t.equal(report.rooms[0]?.head, prev.toString('hex'), 'the head is the last row\'s hash');
});

t.test('an edited body is reported as altered at its seq', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['a', 'b', 'c', 'd'], T0);
  f.db.prepare("UPDATE messages SET body = 'b, but nicer' WHERE room_id = ? AND seq = 2").run(f.rooms.general);
  const r = verifyChains(f.db).rooms.find((x) => x.room === f.rooms.general);
  t.equal(r?.ok, false);
  t.match(r?.problem, { kind: 'altered', seq: 2 });
});

t.test('an edited timestamp or sender is reported too', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['a', 'b', 'c'], T0);
  f.db.prepare('UPDATE messages SET ts = ts + 1 WHERE room_id = ? AND seq = 3').run(f.rooms.general);
  t.match(verifyChains(f.db, f.rooms.general).rooms[0]?.problem, { kind: 'altered', seq: 3 });
  f.db.prepare('UPDATE messages SET ts = ts - 1 WHERE room_id = ? AND seq = 3').run(f.rooms.general);
  t.equal(verifyChains(f.db, f.rooms.general).ok, true, 'undoing the edit restores the chain');
  f.db.prepare('UPDATE messages SET sender_id = ? WHERE room_id = ? AND seq = 1').run(f.users.bob, f.rooms.general);
  t.match(verifyChains(f.db, f.rooms.general).rooms[0]?.problem, { kind: 'altered', seq: 1 });
});

t.test('a deleted row in the middle or at the end is reported as removed', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['a', 'b', 'c', 'd', 'e'], T0);
  f.db.prepare('DELETE FROM messages WHERE room_id = ? AND seq = 3').run(f.rooms.general);
  t.match(verifyChains(f.db, f.rooms.general).rooms[0]?.problem, { kind: 'removed', seq: 3 });

  const g = historyFixture(t);
  g.send(g.rooms.general, ['a', 'b', 'c'], T0);
  g.db.prepare('DELETE FROM messages WHERE room_id = ? AND seq = 3').run(g.rooms.general);
  t.match(verifyChains(g.db, g.rooms.general).rooms[0]?.problem, { kind: 'removed', seq: 3 }, 'a removed last row is caught by the room\'s last seq');
});

t.test('a forged row, even with a correctly computed hash, is reported as inserted', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['a', 'b'], T0);
  // A forger appends seq 3 with a valid hash but cannot make the room's counter agree without also editing rooms.
  const last = f.db.prepare('SELECT hash FROM messages WHERE room_id = ? AND seq = 2').get(f.rooms.general) as { hash: Buffer };
  const forged = { id: 999, room_id: f.rooms.general, seq: 3, sender_id: f.users.bob, client_msg_id: 'forged', body: 'I never said that', ts: T0 + 1 };
  f.db.prepare('INSERT INTO messages (id, room_id, seq, sender_id, client_msg_id, body, ts, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(forged.id, forged.room_id, forged.seq, forged.sender_id, forged.client_msg_id, forged.body, forged.ts, messageHash(last.hash, forged));
  t.match(verifyChains(f.db, f.rooms.general).rooms[0]?.problem, { kind: 'inserted', seq: 3, msgId: 999 });
});

t.test('a row swapped in mid-chain with a later id is reported as inserted', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['a', 'b', 'c'], T0);
  f.db.prepare('DELETE FROM messages WHERE room_id = ? AND seq = 2').run(f.rooms.general);
  f.db.prepare("INSERT INTO messages (id, room_id, seq, sender_id, client_msg_id, body, ts, hash) VALUES (5000, ?, 2, ?, 'x', 'replaced', ?, zeroblob(32))")
    .run(f.rooms.general, f.users.alice, T0);
  t.match(verifyChains(f.db, f.rooms.general).rooms[0]?.problem, { kind: 'inserted', seq: 2, msgId: 5000 });
});

t.test('verify passes after a lawful purge (checkpoint) and still catches an edit above the horizon', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['old 1', 'old 2', 'old 3'], T0);
  f.send(f.rooms.general, ['new 1', 'new 2'], T0 + 40 * DAY);
  const [purge] = f.apply([{ k: 'purge', room: f.rooms.general, before: T0 + 10 * DAY, max: 100 }], T0 + 41 * DAY);
  t.match(purge, { ok: true, purged: 3, throughSeq: 3, more: false });
  const report = verifyChains(f.db, f.rooms.general).rooms[0];
  t.match(report, { ok: true, horizon: 4, messages: 2, lastSeq: 5 });
  f.db.prepare("UPDATE messages SET body = 'new 2 (edited)' WHERE room_id = ? AND seq = 5").run(f.rooms.general);
  t.match(verifyChains(f.db, f.rooms.general).rooms[0]?.problem, { kind: 'altered', seq: 5 });
});

t.test('deleting rows below the horizon by hand is not a purge: the checkpoint does not cover them', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['a', 'b', 'c', 'd'], T0);
  f.apply([{ k: 'purge', room: f.rooms.general, before: T0 + 1, max: 2 }], T0 + DAY);
  f.db.prepare('DELETE FROM messages WHERE room_id = ? AND seq = 3').run(f.rooms.general);
  t.match(verifyChains(f.db, f.rooms.general).rooms[0]?.problem, { kind: 'removed', seq: 3 });
});

t.test('what an edited or deleted message shows must be what the change chain made it', async (t) => {
  const f = historyFixture(t);
  const room = f.rooms.general;
  f.send(room, ['a', 'b', 'c'], T0);
  f.apply([{ k: 'edit', room, user: f.users.alice, seq: 1, body: 'a fixed', windowMs: DAY }], T0 + 1);
  f.apply([{ k: 'edit', room, user: f.users.alice, seq: 1, body: 'a fixed twice', windowMs: DAY }], T0 + 2);
  f.apply([{ k: 'delete', room, user: f.users.alice, seq: 2 }], T0 + 3);
  t.equal(verifyChains(f.db).ok, true, 'lawful edits and a deletion verify');

  const shown = f.db.prepare('UPDATE message_state SET body = ? WHERE room_id = ? AND seq = 1');
  shown.run('something alice never wrote', room);
  t.match(verifyChains(f.db, room).rooms[0], { ok: false, problem: { kind: 'altered', seq: 1, detail: 'the text shown for message at seq 1 is not its last edit\'s' } });
  shown.run('a fixed', room);
  t.equal(verifyChains(f.db, room).ok, false, 'an earlier edit\'s text is not the shown one either');
  shown.run('a fixed twice', room);
  t.equal(verifyChains(f.db, room).ok, true, 'put back, it verifies');

  f.db.prepare("INSERT INTO message_state (room_id, seq, body, deleted_at, scrubbed) VALUES (?, 3, NULL, ?, 1)").run(room, T0 + 4);
  t.match(verifyChains(f.db, room).rooms[0], { ok: false, problem: { kind: 'altered', seq: 3, detail: 'message at seq 3 is shown as deleted, but no deletion of it is in the change chain' } });
  f.db.prepare('DELETE FROM message_state WHERE room_id = ? AND seq = 3').run(room);
  f.db.prepare("UPDATE message_state SET body = 'back', deleted_at = NULL WHERE room_id = ? AND seq = 2").run(room);
  t.equal(verifyChains(f.db, room).ok, false, 'a deleted message given text again, which no edit wrote');
});

t.test('verify: a deletion or edit in the change chain that the message no longer shows is caught (its state row removed or blanked)', async (t) => {
  const f = historyFixture(t);
  const room = f.rooms.general;
  const T = Date.UTC(2024, 4, 1, 9, 30);
  setHold(f.db, 'general', true);
  f.send(room, ['withdrawn statement', 'first wording', 'hello'], T);
  f.apply([{ k: 'delete', room, user: f.users.alice, seq: 1 }], T + 1);
  f.apply([{ k: 'edit', room, user: f.users.alice, seq: 2, body: 'second wording', windowMs: DAY }], T + 2);
  f.apply([{ k: 'edit', room, user: f.users.alice, seq: 3, body: 'hello there', windowMs: DAY }], T + 3);
  t.equal(verifyChains(f.db, room).ok, true, 'lawful');
  f.db.prepare('UPDATE message_state SET body = NULL WHERE room_id = ? AND seq = 3').run(room);
  t.match(verifyChains(f.db, room).rooms[0]?.problem, { seq: 3, detail: /edited in the change chain, but does not show its last edit's text/ }, 'an edited message shown blank');
  f.db.prepare('DELETE FROM message_state WHERE room_id = ? AND seq = 1').run(room);
  t.match(verifyChains(f.db, room).rooms[0]?.problem, { seq: 1, detail: /deleted in the change chain, but is shown as standing/ }, 'a deletion undone');
  f.db.prepare('DELETE FROM message_state WHERE room_id = ?').run(room);
  t.equal(verifyChains(f.db, room).ok, false, 'every change undone');
});
