import t from 'tap';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as policy from '../../../src/chat/policy.js';
import { SCHEMA_VERSION, migrate, schemaVersion } from '../../../src/store/db/migrations.js';
import { setHold, setRetention } from '../../../src/store/history/retention.js';
import { verifyChains } from '../../../src/store/history/verify.js';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';
import type { WriteOp, WriteResult } from '../../../src/store/write/write-ops.js';
import { schemaAt } from '../../helpers/schema-at.js';

const DAY = 24 * 60 * 60 * 1000;
const SHA = 'ab'.repeat(32);
const TABLES = ['users', 'rooms', 'members', 'messages', 'message_changes', 'message_state', 'reactions', 'mentions', 'files', 'message_files', 'retention', 'purge_checkpoints', 'audit_log', 'tokens'];

function must(results: WriteResult[]): WriteResult[] {
  for (const r of results) if (!r.ok) throw new Error(`write refused: ${JSON.stringify(r)}`);
  return results;
}

t.test('a schema-4 database with messages, edits, files, retention and legal hold migrates to 5 with nothing lost', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-migrate5-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = new Database(join(dir, 'roost.db'));
  t.teardown(() => db.close());
  db.pragma('journal_mode = WAL');
  // Schema 4 exactly as the previous release left it: migrations 1 to 4, nothing of 5.
  schemaAt(db, 4);
  const user = (name: string, role: string): number =>
    Number(db.prepare('INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, 1)').run(name, role, 'x').lastInsertRowid);
  const alice = user('alice', 'admin');
  const bob = user('bob', 'member');
  db.prepare("INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES (x'01', ?, 1, 9999999999999)").run(alice);
  const room = (name: string): number => Number(db.prepare("INSERT INTO rooms (name, kind, created_at) VALUES (?, 'group', 1)").run(name).lastInsertRowid);
  const general = room('general');
  const vault = room('vault');
  for (const [r, u] of [[general, alice], [general, bob], [vault, alice]] as const) {
    db.prepare('INSERT INTO members (room_id, user_id, joined_at) VALUES (?, ?, 1)').run(r, u);
  }
  // Rows written by the writer's own code, as the running server writes them. Today's writer
  // prepares statements naming columns and tables of schemas 5, 7 and 12; they exist only while it
  // fills the database, and are dropped again before the migration, so what migrates is exactly schema 4.
  const laterColumns = [['tokens', 'device'], ['tokens', 'device_id'], ['users', 'display_name'], ['users', 'avatar'], ['members', 'role'], ['members', 'read_pos']] as const;
  for (const [table, column] of laterColumns) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} TEXT`);
  db.exec('CREATE TABLE matrix_stream (pos INTEGER PRIMARY KEY AUTOINCREMENT, room_id INTEGER, kind TEXT, ref INTEGER)');
  const old = new BatchApplier(db, { fileRules: policy });
  const now = Date.now();
  let c = 0;
  const send = (r: number, u: number, body: string, extra: Partial<Extract<WriteOp, { k: 'send' }>> = {}): WriteOp =>
    ({ k: 'send', room: r, user: u, clientMsgId: `c${++c}`, body, ...extra });
  must(old.apply([send(general, alice, 'ancient one'), send(general, bob, 'ancient two')], now - 100 * DAY));
  must(old.apply([{ k: 'file', file: { id: 'f1', room: general, user: bob, sha256: SHA, size: 10, mime: 'text/plain', name: 'a.txt', thumb: false }, quota: 0 }], now - DAY));
  must(old.apply([
    send(general, alice, 'hello @bob'),
    send(general, bob, 'see attached', { attachments: ['f1'], replyTo: 3 }),
    send(vault, alice, 'kept for the lawyers'),
    send(vault, alice, 'also kept'),
  ], now - DAY));
  must(old.apply([
    { k: 'edit', room: general, user: alice, seq: 3, body: 'hello @bob!', windowMs: 10 * DAY },
    { k: 'react', room: general, user: bob, seq: 3, emoji: '👍', on: true },
    { k: 'edit', room: vault, user: alice, seq: 1, body: 'kept, edited', windowMs: 10 * DAY },
    { k: 'delete', room: vault, user: alice, seq: 2 },
  ], now - DAY + 1000));
  setRetention(db, 'general', 30);
  setHold(db, 'vault', true);
  must(old.apply([{ k: 'purge', room: general, before: now - 30 * DAY, max: 100 }], now));
  t.equal(verifyChains(db).ok, true, 'the schema-4 history verifies');
  for (const [table, column] of laterColumns) db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  db.exec("DROP TABLE matrix_stream; DELETE FROM sqlite_sequence WHERE name = 'matrix_stream'");

  const counts = (): Record<string, number> => Object.fromEntries(TABLES.map((x) => [x, (db.prepare(`SELECT count(*) AS n FROM ${x}`).get() as { n: number }).n]));
  const snapshot = (): unknown => ({
    messages: db.prepare('SELECT id, room_id, seq, sender_id, body, ts, hash, extra FROM messages ORDER BY id').all(),
    changes: db.prepare('SELECT room_id, cseq, kind, body, hash FROM message_changes ORDER BY room_id, cseq').all(),
    state: db.prepare('SELECT * FROM message_state ORDER BY room_id, seq').all(),
    retention: db.prepare('SELECT room_id, keep_days, legal_hold FROM retention ORDER BY room_id').all(),
    checkpoints: db.prepare('SELECT * FROM purge_checkpoints').all(),
    files: db.prepare('SELECT id, refs FROM files').all(),
  });
  const before = counts();
  const rowsBefore = snapshot();
  t.equal(before.purge_checkpoints, 1, 'the fixture has a purge behind it');

  // 5 and every later migration run, in order, up to today's schema.
  t.same(migrate(db), Array.from({ length: SCHEMA_VERSION - 4 }, (_, i) => i + 5));
  t.equal(schemaVersion(db), SCHEMA_VERSION);
  t.same(counts(), before, 'every table keeps its rows');
  t.same(snapshot(), rowsBefore, 'messages, changes, state, retention, checkpoints and files are unchanged');
  t.equal(verifyChains(db).ok, true, 'the chains still verify');
  t.same(db.prepare('SELECT DISTINCT role, joined_seq FROM members').all(), [{ role: 'member', joined_seq: 0 }]);
  t.same(db.prepare('SELECT DISTINCT topic, avatar, join_rule, history FROM rooms').all(), [{ topic: '', avatar: null, join_rule: 'invite', history: 'shared' }]);

  // The migrated rooms have no owner: a server admin runs them, and entries continue the seqs.
  const applier = new BatchApplier(db, { rules: policy });
  const carol = user('carol', 'member');
  const invited = applier.apply([{ k: 'room-invite', room: general, user: bob, target: carol }], now + 1)[0];
  t.match(invited, { ok: true }, 'any member may invite');
  t.match(applier.apply([{ k: 'room-update', room: general, user: bob, name: 'lobby' }], now + 2)[0], { ok: false, reason: 'not_allowed_for_role' });
  t.match(applier.apply([{ k: 'room-update', room: general, user: alice, name: 'lobby' }], now + 3)[0], { ok: true }, 'the admin counts as owner');
  t.match(applier.apply([send(general, bob, 'after the upgrade')], now + 4)[0], { ok: true, seq: 7 });
  t.equal(verifyChains(db).ok, true, 'entries after the migration verify with the old rows');
});
