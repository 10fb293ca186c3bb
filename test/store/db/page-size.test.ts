import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { NEW_DATABASE_PAGE_SIZE, closeWritable, databasePath, openReadOnly, openWritable } from '../../../src/store/db/database.js';
import { addUser, createRoom } from '../../../src/store/admin/admin.js';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';

function folder(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'roost-page-size-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a new data folder\'s database is made with small pages (fewer bytes written per message)', async (t) => {
  const dir = folder(t);
  const db = openWritable(dir);
  t.equal(NEW_DATABASE_PAGE_SIZE, 1024);
  t.equal(db.pragma('page_size', { simple: true }), NEW_DATABASE_PAGE_SIZE);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'still WAL');
  closeWritable(db);
});

t.test('a database made with 4 KiB pages keeps them, and messages are written and read as before', async (t) => {
  const dir = folder(t);
  const old = new Database(databasePath(dir));
  old.pragma('page_size = 4096');
  old.pragma('journal_mode = WAL');
  old.close();
  const db = openWritable(dir);
  t.equal(db.pragma('page_size', { simple: true }), 4096, 'an existing database is not converted');
  const alice = addUser(db, 'alice', 'member', 'x').id;
  const room = createRoom(db, 'general', ['alice'], undefined, { entries: false }).id;
  const [sent] = new BatchApplier(db).apply([{ k: 'send', room, user: alice, clientMsgId: 'c1', body: 'still works' }], Date.now());
  t.match(sent, { ok: true });
  closeWritable(db);
  const again = openWritable(dir);
  t.equal(again.pragma('page_size', { simple: true }), 4096, 'reopened: unchanged');
  closeWritable(again);
  const ro = openReadOnly(dir);
  t.same(ro.prepare('SELECT body FROM messages WHERE room_id = ?').all(room), [{ body: 'still works' }]);
  ro.close();
});
