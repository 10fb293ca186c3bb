import t from 'tap';
import Database from 'better-sqlite3';
import { migrate } from '../../../src/store/db/migrations.js';
import { MatrixReader } from '../../../src/store/read/matrix-reader.js';
import { schemaAt } from '../../helpers/schema-at.js';

t.test('a schema-11 database migrates to 12: each read mark keeps its stream position, one stream row stands for them', async (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  schemaAt(db, 11);
  const user = (name: string): number =>
    Number(db.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, 'member', 'x', 1)").run(name).lastInsertRowid);
  const [ann, ben, cat] = [user('ann'), user('ben'), user('cat')];
  const room = (name: string): number => Number(db.prepare("INSERT INTO rooms (name, kind, created_at) VALUES (?, 'group', 1)").run(name).lastInsertRowid);
  const [one, two] = [room('one'), room('two')];
  for (const [r, u] of [[one, ann], [one, ben], [one, cat], [two, ann]] as const) db.prepare('INSERT INTO members (room_id, user_id, joined_at) VALUES (?, ?, 1)').run(r, u);
  // Schema 11's trigger streams each mark moved: a row per (room, reader), moved to the end when they read again.
  const read = (r: number, u: number, seq: number): void => void db.prepare('UPDATE members SET read_seq = ? WHERE room_id = ? AND user_id = ?').run(seq, r, u);
  read(one, ann, 1);
  read(one, ben, 1);
  db.prepare("INSERT INTO matrix_stream (room_id, kind, ref) VALUES (?, 'change', 1)").run(one);
  read(two, ann, 3);
  read(one, ann, 2);
  const before = db.prepare("SELECT pos, room_id, ref FROM matrix_stream WHERE kind = 'read' ORDER BY pos").all() as Array<{ pos: number; room_id: number; ref: number }>;
  t.same(before.map((r) => [r.room_id, r.ref]), [[one, ben], [two, ann], [one, ann]], 'the old form: one row per reader');
  const posOf = (r: number, u: number): number => before.find((b) => b.room_id === r && b.ref === u)?.pos ?? 0;

  t.same(migrate(db), [12]);
  const marks = db.prepare('SELECT room_id, user_id, read_seq, read_pos FROM members ORDER BY room_id, user_id').all();
  t.same(marks, [
    { room_id: one, user_id: ann, read_seq: 2, read_pos: posOf(one, ann) },
    { room_id: one, user_id: ben, read_seq: 1, read_pos: posOf(one, ben) },
    { room_id: one, user_id: cat, read_seq: 0, read_pos: 0 },
    { room_id: two, user_id: ann, read_seq: 3, read_pos: posOf(two, ann) },
  ], 'each mark keeps the position it was streamed at; one never read has none');
  t.same(db.prepare('SELECT room_id, kind, ref FROM matrix_stream ORDER BY pos').all(), [
    { room_id: one, kind: 'change', ref: 1 },
    { room_id: 0, kind: 'read', ref: 0 },
  ], 'the change row stays; one read row is left');
  t.equal((db.prepare("SELECT pos FROM matrix_stream WHERE kind = 'read'").get() as { pos: number }).pos, posOf(one, ann), 'at the newest position: a client synced to it is not told a mark again');

  const reader = new MatrixReader(db);
  const since = posOf(two, ann) - 1;
  t.same(reader.readsAfter(since, posOf(one, ann), 100).marks.map((m) => [m.room, m.user]).sort(), [[one, ann], [two, ann]],
    'a since token from before the migration is told the marks streamed after it, and only those');
  read(one, cat, 1);
  t.same(db.prepare('SELECT count(*) AS n FROM matrix_stream').get(), { n: 2 }, 'moving a mark streams nothing by itself any more: the writer gives positions');
});
