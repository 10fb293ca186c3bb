import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as policy from '../../../src/chat/policy.js';
import { openWritable, type Db } from '../../../src/store/db/database.js';
import { addUser, disableUser, insertMember } from '../../../src/store/admin/admin.js';
import { verifyChains } from '../../../src/store/history/verify.js';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';
import type { RoomDone, RoomOp, WriteFailed, WriteResult } from '../../../src/store/write/write-ops.js';

interface Fixture { db: Db; applier: BatchApplier; alice: number; bob: number; carol: number; dave: number; run(op: RoomOp): RoomDone | WriteFailed }

function fixture(t: { teardown: (fn: () => void) => void }): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'roost-rooms-'));
  const db = openWritable(dir);
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((n) => addUser(db, n, 'member', 'x').id) as [number, number, number, number];
  const applier = new BatchApplier(db, { rules: policy });
  let now = 1_000;
  const run = (op: RoomOp): RoomDone | WriteFailed => applier.apply([op], now++)[0] as RoomDone | WriteFailed;
  return { db, applier, alice, bob, carol, dave, run };
}

function ok(_t: unknown, r: WriteResult, what = 'room action'): RoomDone {
  if (!r.ok || !('frames' in r)) throw new Error(`${what}: expected success, got ${JSON.stringify(r)}`);
  return r;
}

const events = (db: Db, room: number): unknown[] =>
  (db.prepare('SELECT sender_id, extra FROM messages WHERE room_id = ? ORDER BY seq').all(room) as Array<{ sender_id: number; extra: string }>)
    .map((r) => ({ from: r.sender_id, ...(JSON.parse(r.extra) as { event: unknown }) }));
const members = (db: Db, room: number): Array<{ user_id: number; role: string }> =>
  db.prepare('SELECT user_id, role FROM members WHERE room_id = ? ORDER BY user_id').all(room) as Array<{ user_id: number; role: string }>;
const standing = (db: Db, room: number, user: number): string | undefined =>
  (db.prepare('SELECT state FROM room_standing WHERE room_id = ? AND user_id = ?').get(room, user) as { state: string } | undefined)?.state;

function create(f: Fixture, extra: Partial<Extract<RoomOp, { k: 'room-create' }>> = {}): number {
  return ok(t, f.run({ k: 'room-create', user: f.alice, name: 'Garden', topic: '', invite: [f.bob], joinRule: 'invite', history: 'shared', ...extra })).room;
}

t.test('creating a room makes the creator its owner, invites the invitees, and writes the entries', async (t) => {
  const f = fixture(t);
  const r = ok(t, f.run({ k: 'room-create', user: f.alice, name: 'Garden', topic: 'plants', invite: [f.bob, f.carol], joinRule: 'invite', history: 'shared' }));
  t.same(members(f.db, r.room), [{ user_id: f.alice, role: 'owner' }]);
  t.equal(standing(f.db, r.room, f.bob), 'invited');
  t.equal(standing(f.db, r.room, f.carol), 'invited');
  t.same(events(f.db, r.room), [
    { from: f.alice, event: { kind: 'created', name: 'Garden' } },
    { from: f.alice, event: { kind: 'invited', user: String(f.bob) } },
    { from: f.alice, event: { kind: 'invited', user: String(f.carol) } },
  ]);
  t.same(r.joined, [{ user: f.alice, role: 'owner', joinedSeq: 0 }]);
  t.same(r.invited, [f.bob, f.carol]);
  t.equal(r.frames.length, 3);
  t.match(JSON.parse(r.frames[0] as string), { type: 'message', room: String(r.room), seq: 1, from: String(f.alice), body: '', event: { kind: 'created' } });
  t.equal((f.db.prepare('SELECT topic FROM rooms WHERE id = ?').get(r.room) as { topic: string }).topic, 'plants');
});

t.test('inviting a disabled or unknown user is refused and changes nothing', async (t) => {
  const f = fixture(t);
  disableUser(f.db, 'dave');
  const before = (f.db.prepare('SELECT count(*) AS n FROM rooms').get() as { n: number }).n;
  t.match(f.run({ k: 'room-create', user: f.alice, name: 'X', topic: '', invite: [f.dave], joinRule: 'invite', history: 'shared' }), { ok: false, reason: 'user_unavailable', code: 'not_found' });
  t.match(f.run({ k: 'room-create', user: f.alice, name: 'X', topic: '', invite: [9999], joinRule: 'invite', history: 'shared' }), { ok: false, reason: 'user_unavailable' });
  t.equal((f.db.prepare('SELECT count(*) AS n FROM rooms').get() as { n: number }).n, before, 'no room was made');
  const room = create(f);
  const seq = (f.db.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(room) as { last_seq: number }).last_seq;
  t.match(f.run({ k: 'room-invite', room, user: f.alice, target: f.dave }), { ok: false, reason: 'user_unavailable' });
  t.match(f.run({ k: 'room-invite', room, user: f.alice, target: 4242 }), { ok: false, reason: 'user_unavailable' });
  t.equal(standing(f.db, room, f.dave), undefined);
  t.equal((f.db.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(room) as { last_seq: number }).last_seq, seq, 'no entry was written');
});

t.test('an invitee joins, and then reads from their own join in a history: joined room', async (t) => {
  const f = fixture(t);
  const room = create(f, { history: 'joined' });
  const r = ok(t, f.run({ k: 'room-join', room, user: f.bob }));
  t.same(r.joined, [{ user: f.bob, role: 'member', joinedSeq: 2 }]);
  t.equal(r.history, 'joined');
  t.equal(standing(f.db, room, f.bob), undefined, 'joining deletes the standing row');
  t.same(members(f.db, room).map((m) => m.user_id), [f.alice, f.bob]);
  const row = f.db.prepare('SELECT joined_seq, read_seq FROM members WHERE room_id = ? AND user_id = ?').get(room, f.bob);
  t.same(row, { joined_seq: 2, read_seq: 3 });
  t.match(events(f.db, room)[2], { from: f.bob, event: { kind: 'joined' } });
});

t.test('a member removed and later brought back starts with nothing unread, by invitation or by an admin', async (t) => {
  const f = fixture(t);
  const room = create(f);
  ok(t, f.run({ k: 'room-join', room, user: f.bob }));
  const lastSeq = (): number => (f.db.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(room) as { last_seq: number }).last_seq;
  const readSeq = (): number => (f.db.prepare('SELECT read_seq FROM members WHERE room_id = ? AND user_id = ?').get(room, f.bob) as { read_seq: number }).read_seq;
  const talk = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const [r] = f.applier.apply([{ k: 'send', room, user: f.alice, clientMsgId: `m${lastSeq()}`, body: 'while bob was away' }], 5_000 + lastSeq());
      if (r?.ok !== true) throw new Error(`send refused: ${JSON.stringify(r)}`);
    }
  };
  talk(3);
  ok(t, f.run({ k: 'room-remove', room, user: f.alice, target: f.bob }));
  talk(4);
  ok(t, f.run({ k: 'room-invite', room, user: f.alice, target: f.bob }));
  ok(t, f.run({ k: 'room-join', room, user: f.bob }));
  t.equal(readSeq(), lastSeq(), 'invited back: read up to their own join entry, so 0 unread');
  ok(t, f.run({ k: 'room-remove', room, user: f.alice, target: f.bob }));
  talk(2);
  t.equal(insertMember(f.db, room, f.bob, 'member', true), true, 'an admin adds them back');
  t.equal(readSeq(), lastSeq(), 'added back by an admin: 0 unread as well');
});

t.test('joining an invite-only room uninvited is refused', async (t) => {
  const f = fixture(t);
  const room = create(f);
  t.match(f.run({ k: 'room-join', room, user: f.carol }), { ok: false, code: 'forbidden', reason: 'not_invited' });
  t.match(f.run({ k: 'room-join', room: 777, user: f.carol }), { ok: false, reason: 'not_member' });
  t.equal(members(f.db, room).length, 1);
});

t.test('anyone joins a public room; a removed user cannot rejoin it until invited again', async (t) => {
  const f = fixture(t);
  const room = create(f, { joinRule: 'public', invite: [] });
  ok(t, f.run({ k: 'room-join', room, user: f.carol }));
  const removed = ok(t, f.run({ k: 'room-remove', room, user: f.alice, target: f.carol }));
  t.same(removed.left, [f.carol]);
  t.equal(standing(f.db, room, f.carol), 'removed');
  t.match(f.run({ k: 'room-join', room, user: f.carol }), { ok: false, reason: 'removed' });
  ok(t, f.run({ k: 'room-invite', room, user: f.alice, target: f.carol }));
  ok(t, f.run({ k: 'room-join', room, user: f.carol }));
  t.same(members(f.db, room).map((m) => m.user_id), [f.alice, f.carol]);
});

t.test('leaving, and declining an invitation', async (t) => {
  const f = fixture(t);
  const room = create(f, { invite: [f.bob, f.carol] });
  ok(t, f.run({ k: 'room-join', room, user: f.bob }));
  const left = ok(t, f.run({ k: 'room-leave', room, user: f.bob }));
  t.same(left.left, [f.bob]);
  t.equal(standing(f.db, room, f.bob), 'left');
  const declined = ok(t, f.run({ k: 'room-leave', room, user: f.carol }));
  t.same(declined.left, [], 'one who was never joined is not told to drop the room from a list');
  t.equal(standing(f.db, room, f.carol), 'left');
  t.match(events(f.db, room).slice(-2), [{ from: f.bob, event: { kind: 'left' } }, { from: f.carol, event: { kind: 'declined' } }]);
  t.match(f.run({ k: 'room-leave', room, user: f.carol }), { ok: false, reason: 'not_member' });
});

t.test('the last owner may not leave others without an owner, nor be demoted', async (t) => {
  const f = fixture(t);
  const room = create(f);
  ok(t, f.run({ k: 'room-join', room, user: f.bob }));
  t.match(f.run({ k: 'room-leave', room, user: f.alice }), { ok: false, code: 'conflict', reason: 'last_owner' });
  t.match(f.run({ k: 'room-role', room, user: f.alice, changes: [{ target: f.alice, role: 'member' }] }), { ok: false, reason: 'last_owner' });
  ok(t, f.run({ k: 'room-role', room, user: f.alice, changes: [{ target: f.bob, role: 'owner' }] }));
  ok(t, f.run({ k: 'room-leave', room, user: f.alice }));
  t.same(members(f.db, room), [{ user_id: f.bob, role: 'owner' }]);
});

t.test('roles: owners promote, moderators may not act on their equals, members may not change roles', async (t) => {
  const f = fixture(t);
  const room = create(f, { joinRule: 'public', invite: [] });
  for (const u of [f.bob, f.carol, f.dave]) ok(t, f.run({ k: 'room-join', room, user: u }));
  const r = ok(t, f.run({ k: 'room-role', room, user: f.alice, changes: [{ target: f.bob, role: 'moderator' }] }));
  t.same(r.roles, [{ user: f.bob, role: 'moderator' }]);
  t.match(events(f.db, room).at(-1), { from: f.alice, event: { kind: 'role', user: String(f.bob), role: 'moderator' } });
  t.match(f.run({ k: 'room-role', room, user: f.carol, changes: [{ target: f.dave, role: 'moderator' }] }), { ok: false, reason: 'not_allowed_for_role' });
  t.match(f.run({ k: 'room-role', room, user: f.bob, changes: [{ target: f.carol, role: 'owner' }] }), { ok: false, reason: 'not_allowed_for_role' });
  ok(t, f.run({ k: 'room-role', room, user: f.alice, changes: [{ target: f.carol, role: 'moderator' }] }));
  t.match(f.run({ k: 'room-remove', room, user: f.bob, target: f.carol }), { ok: false, reason: 'target_outranks' });
  ok(t, f.run({ k: 'room-remove', room, user: f.bob, target: f.dave }));
  t.match(f.run({ k: 'room-remove', room, user: f.bob, target: f.dave }), { ok: false, reason: 'target_not_member' });
});

t.test('several role changes are judged in order against the room the earlier ones leave, and one refused change refuses them all', async (t) => {
  const f = fixture(t);
  const room = create(f, { joinRule: 'public', invite: [] });
  for (const u of [f.bob, f.carol]) ok(t, f.run({ k: 'room-join', room, user: u }));
  const entries = events(f.db, room).length;
  t.match(f.run({ k: 'room-role', room, user: f.alice, changes: [{ target: f.bob, role: 'moderator' }, { target: f.alice, role: 'member' }] }),
    { ok: false, reason: 'last_owner' }, 'the last owner stepping down refuses the whole change');
  t.same(members(f.db, room), [{ user_id: f.alice, role: 'owner' }, { user_id: f.bob, role: 'member' }, { user_id: f.carol, role: 'member' }], 'bob was not made a moderator either');
  t.equal(events(f.db, room).length, entries, 'and nothing was written to the timeline');
  const r = ok(t, f.run({ k: 'room-role', room, user: f.alice, changes: [{ target: f.bob, role: 'owner' }, { target: f.carol, role: 'moderator' }, { target: f.alice, role: 'member' }] }));
  t.same(r.roles, [{ user: f.bob, role: 'owner' }, { user: f.carol, role: 'moderator' }, { user: f.alice, role: 'member' }], 'with bob an owner first, alice may step down');
  t.equal(r.frames.length, 3);
  t.same(members(f.db, room), [{ user_id: f.alice, role: 'member' }, { user_id: f.bob, role: 'owner' }, { user_id: f.carol, role: 'moderator' }]);
  t.match(f.run({ k: 'room-role', room, user: f.bob, changes: [{ target: f.carol, role: 'member' }, { target: f.bob, role: 'member' }] }),
    { ok: false, reason: 'last_owner' });
  t.same(members(f.db, room).find((m) => m.user_id === f.carol), { user_id: f.carol, role: 'moderator' }, 'carol kept her role');
});

t.test('updating a room: moderators rename, only owners change the join rule; each change is an entry', async (t) => {
  const f = fixture(t);
  const room = create(f);
  ok(t, f.run({ k: 'room-join', room, user: f.bob }));
  t.match(f.run({ k: 'room-update', room, user: f.bob, name: 'Weeds' }), { ok: false, reason: 'not_allowed_for_role' });
  ok(t, f.run({ k: 'room-role', room, user: f.alice, changes: [{ target: f.bob, role: 'moderator' }] }));
  const r = ok(t, f.run({ k: 'room-update', room, user: f.bob, name: 'Weeds', topic: 'pull them' }));
  t.equal(r.updated, true);
  t.equal(r.frames.length, 2);
  t.match(f.run({ k: 'room-update', room, user: f.bob, joinRule: 'public' }), { ok: false, reason: 'not_allowed_for_role' });
  t.match(f.run({ k: 'room-update', room, user: f.bob, name: 'Weeds', joinRule: 'public' }), { ok: false }, 'one refused field refuses all');
  const same = ok(t, f.run({ k: 'room-update', room, user: f.alice, name: 'Weeds' }));
  t.equal(same.frames.length, 0, 'no change, no entry');
  ok(t, f.run({ k: 'room-update', room, user: f.alice, joinRule: 'public', history: 'joined' }));
  t.same(f.db.prepare('SELECT name, topic, join_rule, history FROM rooms WHERE id = ?').get(room), { name: 'Weeds', topic: 'pull them', join_rule: 'public', history: 'joined' });
  t.match(events(f.db, room).slice(-4), [
    { event: { kind: 'name', name: 'Weeds' } }, { event: { kind: 'topic', topic: 'pull them' } },
    { event: { kind: 'join_rule', joinRule: 'public' } }, { event: { kind: 'history', history: 'joined' } },
  ]);
  t.match(f.run({ k: 'room-update', room, user: f.alice, avatar: 'nosuchfile' }), { ok: false, code: 'not_found' });
  // A room's avatar is an avatar upload (no room) of the one setting it, and holds a reference while in use.
  const upload = (id: string, user: number, roomId: number): void => void f.applier.apply([{ k: 'file', file: { id, room: roomId, user, sha256: 'ab'.repeat(32), size: 1, mime: 'image/png', name: 'a', thumb: true }, quota: 0 }], Date.now());
  upload('AV1', f.alice, 0);
  upload('AV2', f.alice, 0);
  upload('BOBS', f.bob, 0);
  upload('INROOM', f.alice, room);
  for (const id of ['BOBS', 'INROOM']) t.match(f.run({ k: 'room-update', room, user: f.alice, avatar: id }), { ok: false, code: 'not_found' }, `${id} is not an avatar upload of alice's`);
  const refs = (id: string): number => (f.db.prepare('SELECT refs FROM files WHERE id = ?').get(id) as { refs: number }).refs;
  ok(t, f.run({ k: 'room-update', room, user: f.alice, avatar: 'AV1' }));
  t.equal(refs('AV1'), 1, 'in use: kept from the orphan collector');
  ok(t, f.run({ k: 'room-update', room, user: f.alice, avatar: 'AV2' }));
  t.same([refs('AV1'), refs('AV2')], [0, 1], 'replaced: the reference moves');
  ok(t, f.run({ k: 'room-update', room, user: f.alice, avatar: null }));
  t.equal(refs('AV2'), 0);
});

t.test('a direct room is made once for the pair, by either of them', async (t) => {
  const f = fixture(t);
  const first = ok(t, f.run({ k: 'room-direct', user: f.alice, peer: f.bob }));
  t.equal(first.created, true);
  t.same(first.joined.map((j) => j.user), [f.alice, f.bob]);
  const again = ok(t, f.run({ k: 'room-direct', user: f.bob, peer: f.alice }));
  t.equal(again.room, first.room);
  t.equal(again.created, false);
  t.match(f.run({ k: 'room-invite', room: first.room, user: f.alice, target: f.carol }), { ok: false, reason: 'direct_room' });
  t.match(f.run({ k: 'room-direct', user: f.alice, peer: f.alice }), { ok: false, code: 'bad_request' });
});

t.test('a server admin counts as an owner in a room they are joined to', async (t) => {
  const f = fixture(t);
  const admin = addUser(f.db, 'root', 'admin', 'x').id;
  const room = create(f, { joinRule: 'public', invite: [] });
  ok(t, f.run({ k: 'room-join', room, user: admin }));
  ok(t, f.run({ k: 'room-update', room, user: admin, joinRule: 'invite' }));
  ok(t, f.run({ k: 'room-leave', room, user: f.alice }), 'alice is not the last owner while an admin is in');
});

t.test('entries and messages share one gap-free seq and chain; verify passes', async (t) => {
  const f = fixture(t);
  const room = create(f, { joinRule: 'public', invite: [] });
  const results = f.applier.apply([
    { k: 'send', room, user: f.alice, clientMsgId: 'm1', body: 'hello' },
    { k: 'room-join', room, user: f.bob },
    { k: 'send', room, user: f.bob, clientMsgId: 'm2', body: 'hi' },
  ], 5000);
  t.same(results.map((r) => (r.ok && 'seq' in r ? r.seq : r.ok && 'frames' in r ? JSON.parse(r.frames[0] as string).seq : -1)), [2, 3, 4]);
  t.same((f.db.prepare('SELECT seq FROM messages WHERE room_id = ? ORDER BY seq').all(room) as Array<{ seq: number }>).map((r) => r.seq), [1, 2, 3, 4]);
  t.equal((f.db.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(room) as { last_seq: number }).last_seq, 4);
  t.equal((f.db.prepare("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'hello'").get() as { n: number }).n, 1);
  const report = verifyChains(f.db);
  t.equal(report.ok, true, JSON.stringify(report));
});

t.test('an entry cannot be edited, deleted or reacted to', async (t) => {
  const f = fixture(t);
  const room = create(f, { invite: [] });
  for (const op of [
    { k: 'edit' as const, room, user: f.alice, seq: 1, body: 'x', windowMs: 1e9 },
    { k: 'delete' as const, room, user: f.alice, seq: 1 },
    { k: 'react' as const, room, user: f.alice, seq: 1, emoji: '👍', on: true },
  ]) t.match(f.applier.apply([op], 2000)[0], { ok: false, code: 'forbidden', reason: 'room_event' }, op.k);
});

t.test('the writer continues after another connection appended rows (the CLI)', async (t) => {
  const f = fixture(t);
  const room = create(f, { joinRule: 'public', invite: [] });
  f.applier.apply([{ k: 'send', room, user: f.alice, clientMsgId: 'a', body: 'one' }], 3000);
  const { addMember } = await import('../../../src/store/admin/admin.js');
  addMember(f.db, String(room), 'carol');
  const r = f.applier.apply([{ k: 'send', room, user: f.alice, clientMsgId: 'b', body: 'two' }], 3001)[0];
  t.match(r, { ok: true, seq: 4 });
  t.equal(verifyChains(f.db).ok, true);
});

t.test('a moderator deletes another member\'s message; a member may not', async (t) => {
  const f = fixture(t);
  const room = create(f, { joinRule: 'public', invite: [] });
  ok(t, f.run({ k: 'room-join', room, user: f.bob }));
  ok(t, f.run({ k: 'room-join', room, user: f.carol }));
  const sent = f.applier.apply([{ k: 'send', room, user: f.carol, clientMsgId: 'spam', body: 'buy now' }], 4000)[0];
  const seq = sent !== undefined && sent.ok && 'seq' in sent ? sent.seq : 0;
  t.match(f.applier.apply([{ k: 'delete', room, user: f.bob, seq }], 4001)[0], { ok: false, code: 'forbidden', reason: 'not_own_message' });
  ok(t, f.run({ k: 'room-role', room, user: f.alice, changes: [{ target: f.bob, role: 'moderator' }] }));
  t.match(f.applier.apply([{ k: 'delete', room, user: f.bob, seq }], 4002)[0], { ok: true });
});

t.test('retention purges entries like messages, and the chain still verifies', async (t) => {
  const f = fixture(t);
  const room = create(f, { joinRule: 'public', invite: [] });
  ok(t, f.run({ k: 'room-join', room, user: f.bob }));
  f.applier.apply([{ k: 'send', room, user: f.bob, clientMsgId: 'old', body: 'old words' }], 1_500);
  const purged = f.applier.apply([{ k: 'purge', room, before: 10_000, max: 100 }], 20_000)[0];
  t.match(purged, { ok: true, purged: 3, throughSeq: 3 });
  t.equal((f.db.prepare('SELECT count(*) AS n FROM messages WHERE room_id = ?').get(room) as { n: number }).n, 0);
  ok(t, f.run({ k: 'room-update', room, user: f.alice, topic: 'fresh start' }));
  t.equal(verifyChains(f.db).ok, true);
});
