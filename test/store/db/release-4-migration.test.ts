/**
 * A data folder made by the release before the room model (schema 4) migrates
 * forward with nothing lost, and `roost verify` passes after it.
 *
 * The fixture (fixtures/release-4/) was written by that release itself: its
 * CLI and its running server, see fixtures/make-release-4.mjs. This test runs
 * today's built CLI on a copy of it (`npm run build` first).
 */
import t from 'tap';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { roost } from '../../cli/run.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/release-4/', import.meta.url));
const TABLES = ['users', 'tokens', 'rooms', 'members', 'messages', 'message_changes', 'message_state', 'reactions', 'mentions',
  'files', 'message_files', 'retention', 'purge_checkpoints', 'audit_log', 'events', 'change_checkpoints'];

interface Stored { columns: Record<string, string[]>; counts: Record<string, number>; rows: Record<string, unknown[]>; files: Record<string, string> }

/**
 * Every row the old release wrote, in the columns it had (`columns`: the
 * schema-4 columns, taken from the fixture before migrating), and the bytes of
 * every stored file. A migration may add columns; it must not change these.
 */
function stored(dir: string, columns?: Record<string, string[]>): Stored {
  const db = new Database(join(dir, 'roost.db'), { readonly: true });
  try {
    const cols = columns ?? Object.fromEntries(TABLES.map((x) => [x, (db.pragma(`table_info(${x})`) as { name: string }[]).map((c) => c.name)]));
    const counts = Object.fromEntries(TABLES.map((x) => [x, (db.prepare(`SELECT count(*) AS n FROM ${x}`).get() as { n: number }).n]));
    const rows = Object.fromEntries(TABLES.map((x) => {
      const list = (cols[x] ?? []).map((c) => `"${c}"`).join(', ');
      return [x, db.prepare(`SELECT ${list} FROM ${x} ORDER BY ${list}`).all()];
    }));
    const files: Record<string, string> = {};
    const walk = (sub: string): void => {
      for (const e of readdirSync(join(dir, 'files', sub), { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(sub, e.name));
        else files[join(sub, e.name)] = createHash('sha256').update(readFileSync(join(dir, 'files', sub, e.name))).digest('hex');
      }
    };
    walk('');
    return { columns: cols, counts, rows, files };
  } finally {
    db.close();
  }
}

function schema(dir: string): number {
  const db = new Database(join(dir, 'roost.db'), { readonly: true });
  try { return db.pragma('user_version', { simple: true }) as number; } finally { db.close(); }
}

t.test('a data folder made by the release before the room model migrates with nothing lost', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-release4-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(FIXTURE, dir, { recursive: true });
  chmodSync(dir, 0o700);

  t.equal(schema(dir), 4, 'the fixture is schema 4, as the old release left it');
  const before = stored(dir);
  const rows = (table: string): Record<string, unknown>[] => (before.rows[table] ?? []) as Record<string, unknown>[];

  t.test('the old release wrote everything the requirement names', async (t) => {
    t.same(before.counts.users, 4, 'the first start\'s admin, alice (admin), bob and carol');
    t.match(rows('rooms'), [{ name: 'general', kind: 'group' }, { name: 'alice & bob', kind: 'direct' }]);
    t.ok(rows('messages').some((m) => m.body === '收到，谢谢！'), 'Chinese text');
    t.match(rows('message_changes'), [{ kind: 'edit' }, { kind: 'react' }, { kind: 'react' }, { kind: 'delete' }, { kind: 'delete' }], 'an edit, two reactions, two deletions');
    t.ok(rows('messages').some((m) => /"replyTo":3/.test(String(m.extra))), 'a reply');
    t.match(rows('files'), [{ name: 'notes.txt', mime: 'text/plain', thumb: 0 }, { name: '日落.png', mime: 'image/png', thumb: 1 }]);
    t.equal(Object.keys(before.files).filter((f) => f.endsWith('.thumb.webp')).length, 1, 'the image\'s thumbnail is on disk');
    t.match(rows('retention'), [{ room_id: 1, keep_days: 30, legal_hold: 0 }, { room_id: 2, legal_hold: 1 }], 'retention on general, legal hold on the direct room');
    t.match(rows('purge_checkpoints'), [{ room_id: 1, through_seq: 2, purged: 2 }], 'the retention job purged general\'s two oldest messages');
  });

  // Today's CLI: `roost migrate` (it takes a backup first), then `roost verify`.
  const migrated = await roost(['migrate', '--data', dir]);
  t.equal(migrated.code, 0, `roost migrate succeeds: ${migrated.stderr}`);
  t.match(migrated.stdout, /migrated to schema version \d+/);
  const target = schema(dir);
  t.ok(target > 4, `now at schema ${target}`);
  t.equal((await roost(['migrate', '--check', '--data', dir])).code, 0, 'nothing is left pending');
  const verified = await roost(['verify', '--data', dir]);
  t.equal(verified.code, 0, `roost verify passes: ${verified.stdout}${verified.stderr}`);
  t.match(verified.stdout, /ok\s+room 1 general: 4 messages \(seq 3\.\.6\)/);
  t.match(verified.stdout, /ok\s+room 2 alice & bob: 3 messages \(seq 1\.\.3\)/);
  t.match(verified.stdout, /ok\s+audit log: 9 entries/);

  const after = stored(dir, before.columns);
  // The audit log only grows: the old entries stay as they were, today's `roost verify` is appended.
  const audit = (after.rows.audit_log ?? []) as { action: string }[];
  t.same(audit.slice(before.counts.audit_log).map((e) => e.action), ['verify'], 'only the verify was added to the audit log');
  t.same({ ...after.counts, audit_log: before.counts.audit_log }, before.counts, 'every other table keeps its number of rows');
  t.same({ ...after.rows, audit_log: audit.slice(0, before.counts.audit_log) }, before.rows, 'every schema-4 column of every row is unchanged: messages, edits, deletion markers, reactions, mentions, files, retention, hold, purge checkpoint and audit rows are unchanged');
  t.same(Object.keys(after.files), Object.keys(before.files), 'the same files are stored');
  t.same(after.files, before.files, 'with the same bytes (originals and thumbnail)');

  t.test('the export shows the edited text, "(edited)", the attachments and "(deleted)"', async (t) => {
    const general = await roost(['export', '--room', 'general', '--format', 'csv', '--data', dir]);
    t.equal(general.code, 0, 'roost export of general succeeds');
    t.match(general.stdout, /大家好！欢迎来到 Roost 聊天室。Hello @bob,\(edited\)/);
    t.match(general.stdout, /日落\.png \(151 bytes, image\/png, sha256 [0-9a-f]{64}\)/);
    t.match(general.stdout, /notes\.txt \(27 bytes, text\/plain, sha256 [0-9a-f]{64}\)/);
    t.match(general.stdout, /,\(deleted\),\(deleted\),/);
    t.notMatch(general.stdout, /oops, wrong room/, 'a deleted message\'s text outside a hold stays scrubbed');
    const held = await roost(['export', '--room', '2', '--format', 'jsonl', '--data', dir]);
    t.equal(held.code, 0, 'roost export of the held direct room succeeds');
    const lines = held.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; text: string; status: string; body: string });
    t.match(lines, [
      { seq: 1, text: '明天八点见 (see you at 8 tomorrow)' },
      { seq: 2, text: '(deleted)', status: '(deleted)', body: 'the held room keeps this deleted text' },
      { seq: 3, text: '好的' },
    ], 'under legal hold the deleted text is still there for the export');
  });

  t.test('the room model\'s defaults for old rooms', async (t) => {
    const db = new Database(join(dir, 'roost.db'), { readonly: true });
    t.teardown(() => db.close());
    t.same(db.prepare('SELECT room_id, user_id, role, joined_seq FROM members ORDER BY room_id, user_id').all(), [
      { room_id: 1, user_id: 2, role: 'member', joined_seq: 0 },
      { room_id: 1, user_id: 3, role: 'member', joined_seq: 0 },
      { room_id: 1, user_id: 4, role: 'member', joined_seq: 0 },
      { room_id: 2, user_id: 2, role: 'member', joined_seq: 0 },
      { room_id: 2, user_id: 3, role: 'member', joined_seq: 0 },
    ], 'every member is still joined, seeing the whole history');
    t.same(db.prepare('SELECT id, topic, avatar, join_rule, history FROM rooms ORDER BY id').all(), [
      { id: 1, topic: '', avatar: null, join_rule: 'invite', history: 'shared' },
      { id: 2, topic: '', avatar: null, join_rule: 'invite', history: 'shared' },
    ], 'rooms are invite-only with shared history');
    // docs/operations.md: a room made before schema 5 has no owner and is run by the server admins.
    t.equal((db.prepare("SELECT count(*) AS n FROM members WHERE role = 'owner'").get() as { n: number }).n, 0, 'no owner');
    t.same(db.prepare("SELECT name FROM users WHERE role = 'admin' ORDER BY id").all(), [{ name: 'admin' }, { name: 'alice' }], 'admins to run them');
  });
});
