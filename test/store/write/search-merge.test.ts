import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';
import { openWritable, type Db } from '../../../src/store/db/database.js';
import { addUser, createRoom } from '../../../src/store/admin/admin.js';

function scratch(t: { teardown: (fn: () => void) => void }): { db: Db; room: number; user: number } {
  const dir = mkdtempSync(join(tmpdir(), 'roost-search-merge-'));
  const db = openWritable(dir);
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const user = addUser(db, 'alice', 'member', 'x').id;
  const room = createRoom(db, 'one', ['alice'], undefined, { entries: false }).id;
  return { db, room, user };
}

/** Each segment of an FTS5 index has rows in its %_idx table (one per leaf but the first). */
const segments = (db: Db): number =>
  (db.prepare('SELECT count(DISTINCT segid) AS n FROM messages_fts_idx').get() as { n: number }).n;

t.test('FTS5\'s automerge is off: its lumps of merge work would land in one commit', async (t) => {
  const { db } = scratch(t);
  const row = db.prepare("SELECT v FROM messages_fts_config WHERE k = 'automerge'").get() as { v: number } | undefined;
  t.equal(row?.v, 0);
});

t.test('every commit that indexes messages merges a little: segments do not pile up one per commit', async (t) => {
  const { db, room, user } = scratch(t);
  const applier = new BatchApplier(db);
  const commits = 40;
  for (let i = 0; i < commits; i++) {
    applier.apply([{ k: 'send', room, user, clientMsgId: `c${i}`, body: `message ${i} about the garden` }], Date.now());
  }
  // Without merging, each commit leaves a level-0 segment (40); FTS5's crisis merge alone would
  // still leave up to 15 at level 0. Merging four at a time keeps a handful per level.
  t.ok(segments(db) <= 12, `${segments(db)} segments after ${commits} one-message commits`);
  const hits = db.prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'garden'").all();
  t.equal(hits.length, commits, 'every message is still found');
});

t.test('a commit that indexes nothing does no merge work', async (t) => {
  const { db, room, user } = scratch(t);
  db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('usermerge', 2)");
  const applier = new BatchApplier(db, { searchIndex: false });
  for (let i = 0; i < 3; i++) db.prepare('INSERT INTO messages_fts (rowid, text) VALUES (?, ?)').run(1000 + i, `seeded ${i}`);
  const before = segments(db);
  applier.apply([{ k: 'send', room, user, clientMsgId: 'plain', body: 'not indexed' }], Date.now());
  t.equal(segments(db), before, 'the seeded segments are left as they were');
});
