import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { CHECKPOINT_WAL_BYTES, NEW_DATABASE_PAGE_SIZE, autocheckpointPages, closeWritable, databasePath, openReadOnly, openWritable } from '../../../src/store/db/database.js';
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
  t.equal(db.pragma('wal_autocheckpoint', { simple: true }), CHECKPOINT_WAL_BYTES / 1024, 'checkpoints every 4 MiB of WAL, not every 1000 small pages');
  closeWritable(db);
});

t.test('the checkpoint threshold is a number of WAL bytes, whatever the page size', async (t) => {
  t.equal(autocheckpointPages(1024) * 1024, CHECKPOINT_WAL_BYTES);
  t.equal(autocheckpointPages(4096) * 4096, CHECKPOINT_WAL_BYTES);
  t.equal(autocheckpointPages(65536) * 65536, CHECKPOINT_WAL_BYTES);
  t.equal(autocheckpointPages(undefined), CHECKPOINT_WAL_BYTES / 4096, 'an unreadable page size counts as SQLite\'s default');
});

t.test('a database made with 4 KiB pages keeps them, and messages are written and read as before', async (t) => {
  const dir = folder(t);
  const old = new Database(databasePath(dir));
  old.pragma('page_size = 4096');
  old.pragma('journal_mode = WAL');
  old.close();
  const db = openWritable(dir);
  t.equal(db.pragma('page_size', { simple: true }), 4096, 'an existing database is not converted');
  t.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1024, 'and checkpoints after as many WAL bytes as a new one');
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
