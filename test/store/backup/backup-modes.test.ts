import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { backupDatabase, defaultBackupDir, ensureBackupDir } from '../../../src/store/backup/backup.js';
import { blobPath } from '../../../src/store/files/blob-store.js';
import { startTestServer } from '../../helpers/server.js';
import { historyFixture } from '../history-fixture.js';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

// A permissive umask, as on most desktops: without explicit modes everything would be 0644/0755.
const umaskBefore = process.umask(0o022);
t.teardown(() => process.umask(umaskBefore));

t.test('a backup, its files/ folder and the copies in it are owner-only (0600 files, 0700 folders)', async (t) => {
  const f = historyFixture(t);
  const bytes = Buffer.from('salaries 2024');
  const sha = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(dirname(blobPath(f.dir, sha)), { recursive: true });
  writeFileSync(blobPath(f.dir, sha), bytes);
  // The upload itself readable by all: the copy must not inherit that.
  chmodSync(blobPath(f.dir, sha), 0o644);
  f.apply([{ k: 'file', file: { id: 'S1', room: f.rooms.general, user: f.users.alice, sha256: sha, size: bytes.length, mime: 'text/plain', name: 's.txt', thumb: false }, quota: 0 }], Date.now());
  f.close();
  const out = mkdtempSync(join(tmpdir(), 'roost-bk-modes-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await backupDatabase(f.dir, join(out, 'copy.db'));
  t.equal(mode(r.file), '600', 'the .db');
  t.equal(mode(join(out, 'files')), '700', 'files/');
  t.equal(mode(dirname(blobPath(out, sha))), '700', 'files/<ab>/');
  t.equal(mode(blobPath(out, sha)), '600', 'the copied upload');
  t.same(readdirSync(out).sort(), ['copy.db', 'files'], 'nothing else beside it (no partial, no journal)');
  t.match(r.files, { dir: join(out, 'files'), named: 1, copied: 1, bytes: bytes.length, missing: 0 });
  const backups = ensureBackupDir(defaultBackupDir(f.dir));
  t.equal(mode(backups), '700', 'the default backups folder');
});

t.test('scheduled backups written by the server are owner-only too', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'roost-sched-modes-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const backupDir = join(parent, 'nightly', 'roost');
  const server = await startTestServer({ backupIntervalMinutes: 60, backupDir, backupKeep: 2 });
  t.teardown(() => server.close());
  const result = await server.server.history.backups?.runOnce();
  t.ok(result !== null && result !== undefined, 'the scheduled backup was written');
  t.equal(mode(result?.file ?? ''), '600', 'the .db');
  t.equal(mode(backupDir), '700', 'the backup folder it created');
  t.equal(mode(dirname(backupDir)), '700', 'and its parent it created');
});
