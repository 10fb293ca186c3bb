import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { backupDatabase } from '../../../src/store/backup/backup.js';
import { pruneBackupFiles, pruneBackups } from '../../../src/store/backup/backup-prune.js';
import { blobPath, thumbPath } from '../../../src/store/files/blob-store.js';
import { historyFixture } from '../history-fixture.js';

type Scope = Parameters<typeof historyFixture>[0];

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function put(path: string, bytes: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** A backup folder holding one real backup whose rows name `kept`, and the bytes of `orphan`, which no backup names. */
async function backupFolder(t: Scope): Promise<{ out: string; kept: string; orphan: string }> {
  const f = historyFixture(t);
  const kept = sha('minutes of the meeting');
  put(blobPath(f.dir, kept), 'minutes of the meeting');
  f.apply([{ k: 'file', file: { id: 'M1', room: f.rooms.general, user: f.users.alice, sha256: kept, size: 22, mime: 'text/plain', name: 'm.txt', thumb: false }, quota: 0 }], Date.now());
  f.close();
  const out = mkdtempSync(join(tmpdir(), 'roost-prune-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  await backupDatabase(f.dir, join(out, 'roost-20250101T000000Z.db'));
  const orphan = sha('a photo deleted long ago');
  put(blobPath(out, orphan), 'a photo deleted long ago');
  put(thumbPath(out, orphan), 'its thumbnail');
  return { out, kept, orphan };
}

t.test('contents no backup in the folder names are removed, thumbnails too; named ones stay', async (t) => {
  const { out, kept, orphan } = await backupFolder(t);
  put(`${blobPath(out, sha('half-copied'))}.partial`, 'half');
  t.same(pruneBackupFiles(out), { removed: 2, bytes: 'a photo deleted long ago'.length + 'its thumbnail'.length });
  t.ok(existsSync(blobPath(out, kept)), 'named by the backup: kept');
  t.notOk(existsSync(blobPath(out, orphan)));
  t.notOk(existsSync(thumbPath(out, orphan)));
  t.ok(existsSync(`${blobPath(out, sha('half-copied'))}.partial`), 'a copy in progress is left to its copier');
  t.same(pruneBackupFiles(out), { removed: 0, bytes: 0 }, 'nothing more to remove');
});

t.test('a backup the user named (not roost-<time>.db) protects its contents as much as Roost\'s own', async (t) => {
  const { out, kept } = await backupFolder(t);
  await backupDatabase(historyFixtureDir(t, kept), join(out, 'before-upgrade.db'));
  t.same(pruneBackups(out, 0), ['roost-20250101T000000Z.db'], 'the schedule keeps none of its own');
  pruneBackupFiles(out);
  t.ok(existsSync(blobPath(out, kept)), 'before-upgrade.db still names it');
});

t.test('when a .db in the folder cannot be read, nothing is removed: its contents are unknown', async (t) => {
  const { out, orphan } = await backupFolder(t);
  writeFileSync(join(out, 'copied-by-hand.db'), 'not a database');
  t.match(pruneBackupFiles(out), { skipped: /copied-by-hand\.db cannot be read/ });
  t.ok(existsSync(blobPath(out, orphan)));
});

t.test('a folder without files/ is fine', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'roost-prune-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  t.same(pruneBackupFiles(out), { removed: 0, bytes: 0 });
});

/** A data folder whose database names the content `sha` (its bytes present). */
function historyFixtureDir(t: Scope, content: string): string {
  const f = historyFixture(t);
  put(blobPath(f.dir, content), 'minutes of the meeting');
  f.apply([{ k: 'file', file: { id: 'M2', room: f.rooms.general, user: f.users.bob, sha256: content, size: 22, mime: 'text/plain', name: 'm.txt', thumb: false }, quota: 0 }], Date.now());
  f.close();
  return f.dir;
}
