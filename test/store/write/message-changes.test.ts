import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runExport } from '../../../src/store/history/export.js';
import { setHold } from '../../../src/store/history/retention.js';
import { verifyChains } from '../../../src/store/history/verify.js';
import type { ChangeDone, GcDone, ScrubDone, WriteResult } from '../../../src/store/write/write-ops.js';
import { historyFixture } from '../history-fixture.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);
const SHA = 'ab'.repeat(32);

const okChange = (r: WriteResult | undefined): ChangeDone => {
  if (r === undefined || !r.ok || !('cseq' in r)) throw new Error(`not a change: ${JSON.stringify(r)}`);
  return r;
};

function fileOp(id: string, room: number, user: number) {
  return { k: 'file' as const, file: { id, room, user, sha256: SHA, size: 10, mime: 'text/plain', name: `${id}.txt`, thumb: false }, quota: 0 };
}

t.test('edits and deletions are chained events: verify passes after them, and catches a forged change', async (t) => {
  const f = historyFixture(t);
  const { general } = f.rooms;
  const [m1, m2, m3] = f.send(general, ['first', 'second', 'third'], T0);
  const edit = okChange(f.apply([{ k: 'edit', room: general, user: f.users.alice, seq: m1?.seq ?? 0, body: 'first (fixed)', windowMs: DAY }], T0 + 1000)[0]);
  t.equal(edit.cseq, 1);
  okChange(f.apply([{ k: 'delete', room: general, user: f.users.alice, seq: m2?.seq ?? 0 }], T0 + 2000)[0]);
  okChange(f.apply([{ k: 'react', room: general, user: f.users.bob, seq: m3?.seq ?? 0, emoji: '👍', on: true }], T0 + 3000)[0]);
  const body = (seq: number): string => (f.db.prepare('SELECT body FROM messages WHERE room_id = ? AND seq = ?').get(general, seq) as { body: string }).body;
  t.equal(body(1), '', 'no legal hold: the original text of the edited message is scrubbed at once');
  t.equal(body(2), '', 'and so is the deleted message');
  const report = verifyChains(f.db, general);
  t.ok(report.ok, 'the message chain still verifies: the change chain vouches for the scrubbed rows');
  t.match(report.rooms[0]?.changes, { count: 3, lastCseq: 3, ok: true });
  // Someone rewrites the text of the edit.
  f.db.prepare("UPDATE message_changes SET body = 'forged' WHERE room_id = ? AND cseq = 1").run(general);
  const forged = verifyChains(f.db, general);
  t.notOk(forged.ok);
  t.match(forged.rooms[0]?.changes?.problem, { kind: 'altered', cseq: 1 });
  // Someone blanks a message nobody edited or deleted.
  f.db.prepare("UPDATE message_changes SET body = 'first (fixed)' WHERE room_id = ? AND cseq = 1").run(general);
  f.db.prepare("UPDATE messages SET body = '' WHERE room_id = ? AND seq = 3").run(general);
  t.match(verifyChains(f.db, general).rooms[0]?.problem, { kind: 'altered', seq: 3 }, 'a blanked row without a chained change is caught');
});

t.test('under legal hold the hidden text stays (for the export only); clearing the hold lets the cleanup scrub it', async (t) => {
  const f = historyFixture(t);
  const { general } = f.rooms;
  setHold(f.db, 'general', true);
  f.apply([fileOp('F1', general, f.users.alice)], T0);
  const [m1] = f.send(general, ['the plan is X'], T0);
  f.apply([{ k: 'send', room: general, user: f.users.alice, clientMsgId: 'att', body: 'see file', attachments: ['F1'] }], T0 + 10);
  const seq = m1?.seq ?? 0;
  f.apply([{ k: 'edit', room: general, user: f.users.alice, seq, body: 'the plan is Y', windowMs: DAY }], T0 + 100);
  f.apply([{ k: 'edit', room: general, user: f.users.alice, seq, body: 'the plan is Z', windowMs: DAY }], T0 + 200);
  const del = okChange(f.apply([{ k: 'delete', room: general, user: f.users.alice, seq: 2 }], T0 + 300)[0]);
  t.same(del.freed, [], 'on hold: the deleted message keeps its file');
  const kept = f.db.prepare('SELECT body FROM messages WHERE room_id = ? ORDER BY seq').all(general) as Array<{ body: string }>;
  t.same(kept.map((r) => r.body), ['the plan is X', 'see file']);
  t.ok(verifyChains(f.db, general).ok);
  f.close();
  const file = join(f.dir, 'held.jsonl');
  await runExport(f.dir, { room: 'general', format: 'jsonl' }, { file });
  const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(rows[0], { body: 'the plan is X', changes: [{ kind: 'edit', body: 'the plan is Y' }, { kind: 'edit', body: 'the plan is Z' }] });
  t.match(rows[1], { body: 'see file', extra: { attachments: [{ fileId: 'F1' }] }, changes: [{ kind: 'delete' }] });

  const g = historyFixture(t);
  setHold(g.db, 'general', true);
  g.apply([fileOp('F2', g.rooms.general, g.users.alice)], T0);
  g.apply([{ k: 'send', room: g.rooms.general, user: g.users.alice, clientMsgId: 'a1', body: 'v1', attachments: ['F2'] }], T0);
  g.apply([{ k: 'edit', room: g.rooms.general, user: g.users.alice, seq: 1, body: 'v2', windowMs: DAY }], T0 + 1);
  g.apply([{ k: 'edit', room: g.rooms.general, user: g.users.alice, seq: 1, body: 'v3', windowMs: DAY }], T0 + 2);
  g.send(g.rooms.general, ['doomed'], T0 + 3);
  g.apply([{ k: 'delete', room: g.rooms.general, user: g.users.bob, seq: 2 }], T0 + 4);
  t.match(g.apply([{ k: 'delete', room: g.rooms.general, user: g.users.bob, seq: 1 }], T0 + 5)[0], { ok: false, code: 'forbidden' }, 'bob may not delete alice\'s');
  g.apply([{ k: 'delete', room: g.rooms.general, user: g.users.alice, seq: 1 }], T0 + 5);
  setHold(g.db, 'general', false);
  const scrub = g.apply([{ k: 'scrub', room: g.rooms.general, max: 500 }], T0 + 10)[0] as ScrubDone;
  t.match(scrub, { ok: true, scrubbed: 1, more: false });
  t.same(scrub.freed, [SHA], 'the deleted message\'s file is no longer referenced');
  t.equal((g.db.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n, 0);
  const edits = g.db.prepare("SELECT body FROM message_changes WHERE kind = 'edit' ORDER BY cseq").all() as Array<{ body: string | null }>;
  t.same(edits.map((e) => e.body), [null, null], 'every edit text of a deleted message is scrubbed');
  t.equal((g.db.prepare('SELECT body FROM messages WHERE seq = 1').get() as { body: string }).body, '');
  t.ok(verifyChains(g.db, g.rooms.general).ok, 'and the chains still verify');
});

t.test('retention purges edits, reactions, mentions and file links with their messages; unreferenced files are then collected', async (t) => {
  const f = historyFixture(t);
  const { general } = f.rooms;
  f.apply([fileOp('F3', general, f.users.alice)], T0);
  f.apply([{ k: 'send', room: general, user: f.users.alice, clientMsgId: 'p1', body: 'hi @bob', attachments: ['F3'] }], T0);
  f.apply([{ k: 'edit', room: general, user: f.users.alice, seq: 1, body: 'hi @bob!', windowMs: DAY }], T0 + 1);
  f.apply([{ k: 'react', room: general, user: f.users.bob, seq: 1, emoji: '🎉', on: true }], T0 + 2);
  f.send(general, ['recent'], T0 + 40 * DAY);
  const count = (table: string): number => (f.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  t.equal(count('mentions'), 1);
  const purge = f.apply([{ k: 'purge', room: general, before: T0 + 30 * DAY, max: 500 }], T0 + 41 * DAY)[0];
  t.match(purge, { ok: true, purged: 1, throughSeq: 1 });
  for (const table of ['message_state', 'reactions', 'mentions', 'message_files', 'message_changes']) t.equal(count(table), 0, `${table} emptied for the purged seqs`);
  t.match(f.db.prepare('SELECT through_cseq FROM change_checkpoints').get(), { through_cseq: 2 });
  t.ok(verifyChains(f.db, general).ok, 'both chains resume from their checkpoints');
  const gc = f.apply([{ k: 'gc-files', unpostedBefore: T0 + 41 * DAY, max: 500 }], T0 + 41 * DAY)[0] as GcDone;
  t.match(gc, { ok: true, removed: 1, freed: [SHA] });
  f.apply([fileOp('F4', general, f.users.alice)], T0 + 41 * DAY);
  const young = f.apply([{ k: 'gc-files', unpostedBefore: T0 + 41 * DAY - 1, max: 500 }], T0 + 41 * DAY)[0] as GcDone;
  t.equal(young.removed, 0, 'an upload not yet sent is kept through its grace period');
  const next = okChange(f.apply([{ k: 'react', room: general, user: f.users.bob, seq: 2, emoji: '👀', on: true }], T0 + 42 * DAY)[0]);
  t.equal(next.cseq, 3, 'cseqs go on after a purge, never reused');
  t.ok(verifyChains(f.db, general).ok);
});

t.test('a change sent again is answered with the change that made it so, never the room\'s newest; at most 20 reactions each, a repeat at the cap included', async (t) => {
  const f = historyFixture(t);
  const { general } = f.rooms;
  f.send(general, ['lunch?'], T0);
  const mine = okChange(f.apply([{ k: 'react', room: general, user: f.users.alice, seq: 1, emoji: '👍', on: true }], T0 + 1)[0]);
  okChange(f.apply([{ k: 'react', room: general, user: f.users.bob, seq: 1, emoji: '🎉', on: true }], T0 + 2)[0]);
  const again = okChange(f.apply([{ k: 'react', room: general, user: f.users.alice, seq: 1, emoji: '👍', on: true }], T0 + 3)[0]);
  t.equal(again.cseq, mine.cseq, 'the reaction sent again is answered with alice\'s own change, not bob\'s newer one');
  t.equal(again.frame, undefined, 'and nobody is told twice');
  const edit = okChange(f.apply([{ k: 'edit', room: general, user: f.users.alice, seq: 1, body: 'lunch at noon?', windowMs: DAY }], T0 + 4)[0]);
  const editAgain = okChange(f.apply([{ k: 'edit', room: general, user: f.users.alice, seq: 1, body: 'lunch at noon?', windowMs: DAY }], T0 + 5)[0]);
  t.equal(editAgain.cseq, edit.cseq, 'the same edit sent again appends nothing');
  t.equal((f.db.prepare("SELECT count(*) AS n FROM message_changes WHERE kind = 'edit'").get() as { n: number }).n, 1);
  for (let i = 0; i < 19; i++) okChange(f.apply([{ k: 'react', room: general, user: f.users.alice, seq: 1, emoji: `e${i}`, on: true }], T0 + 10 + i)[0]);
  t.match(f.apply([{ k: 'react', room: general, user: f.users.alice, seq: 1, emoji: 'one-too-many', on: true }], T0 + 40)[0], { ok: false, code: 'too_large' }, 'a 21st reaction is refused');
  t.equal(okChange(f.apply([{ k: 'react', room: general, user: f.users.alice, seq: 1, emoji: '👍', on: true }], T0 + 41)[0]).cseq, mine.cseq, 'a repeat at the cap is still a repeat');
  const del = okChange(f.apply([{ k: 'delete', room: general, user: f.users.alice, seq: 1 }], T0 + 50)[0]);
  f.send(general, ['another'], T0 + 51);
  okChange(f.apply([{ k: 'react', room: general, user: f.users.bob, seq: 2, emoji: 'x', on: true }], T0 + 51)[0]);
  t.equal(okChange(f.apply([{ k: 'delete', room: general, user: f.users.alice, seq: 1 }], T0 + 52)[0]).cseq, del.cseq, 'a deletion sent again: the deletion');
});
