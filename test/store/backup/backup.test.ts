import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { listAudit } from '../../../src/store/history/audit.js';
import { backupDatabase, backupFileName, inspectDatabase } from '../../../src/store/backup/backup.js';
import { pruneBackups } from '../../../src/store/backup/backup-prune.js';
import { databasePath, openReadOnly, openWritable } from '../../../src/store/db/database.js';
import { lockHolder } from '../../../src/store/db/data-lock.js';
import { blobPath } from '../../../src/store/files/blob-store.js';
import { restoreDatabase } from '../../../src/store/backup/restore.js';
import { verifyChains } from '../../../src/store/history/verify.js';
import { sleep, startTestServer, type TestServer } from '../../helpers/server.js';
import { TestClient } from '../../helpers/client.js';
import { BatchApplier } from '../../../src/store/write/batch-applier.js';
import { Writer } from '../../../src/store/write/writer.js';
import { historyFixture } from '../history-fixture.js';

const tempDir = (t: { teardown: (fn: () => void) => void }, prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

interface Acked { msgId: string; at: number }

/** Five clients, each sending as fast as its acks come back, until stopped. */
async function fiveSenders(server: TestServer, room: string, tokens: string[]) {
  const clients = await Promise.all(tokens.map((tok) => TestClient.connect(server.ws, tok)));
  const acked: Acked[] = [];
  let running = true;
  const loops = clients.map(async (c, ci) => {
    for (let i = 0; running && i < 100_000; i++) {
      const ack = await c.request({ type: 'send', room, body: `client ${ci} message ${i}`, clientMsgId: `c${ci}-${i}` }, 10_000);
      if (ack.type !== 'ack') throw new Error(`send refused: ${JSON.stringify(ack)}`);
      acked.push({ msgId: String(ack.msgId), at: performance.now() });
    }
  });
  return {
    acked,
    async stop() {
      running = false;
      await Promise.all(loops);
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

t.test('a backup taken while 5 clients send holds every message acked before it began, and restores', async (t) => {
  const server = await startTestServer({ framesPerSecond: 0, userFramesPerSecond: 0 });
  let serverOpen = true;
  t.teardown(async () => { if (serverOpen) await server.close(); });
  const users = await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5'].map((n) => server.user(n)));
  const room = await server.room('busy', users.map((u) => u.name));
  const senders = await fiveSenders(server, room, users.map((u) => u.token));
  // Bounds on conditions, not speed checks: a loaded machine may take a minute to ack 500.
  const deadline = Date.now() + 120_000;
  while (senders.acked.length < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const began = performance.now();
  const ackedBefore = senders.acked.filter((a) => a.at <= began).map((a) => a.msgId);
  const out = join(tempDir(t, 'roost-backup-out-'), 'copy.db');
  const result = await backupDatabase(server.dataDir, out);
  const ackedDuring = senders.acked.length - ackedBefore.length;
  // Keep sending a little longer: the server never stopped serving.
  const after = senders.acked.length;
  const more = Date.now() + 60_000;
  while (senders.acked.length < after + 50 && Date.now() < more) await new Promise((r) => setTimeout(r, 10));
  await senders.stop();
  t.ok(ackedBefore.length >= 500, `${ackedBefore.length} messages acked before the backup began`);
  t.ok(senders.acked.length > after, 'sends kept being acked after the backup');
  t.comment(`backup: ${result.bytes} bytes, ${Math.round(result.ms)} ms, ${ackedDuring} acks while it ran`);
  t.equal(result.integrity, 'ok');

  const copy = new Database(out, { readonly: true });
  const ids = new Set((copy.prepare('SELECT id FROM messages').all() as Array<{ id: number }>).map((r) => String(r.id)));
  copy.close();
  const missing = ackedBefore.filter((id) => !ids.has(id));
  t.same(missing, [], 'every message acked before the backup began is in it');
  t.notOk(existsSync(`${out}-wal`), 'the backup is one self-contained file');
  t.notOk(readdirSync(join(out, '..')).some((f) => f.endsWith('.partial')));

  // Restoring refuses while the server runs on the folder.
  t.match(lockHolder(server.dataDir), { pid: process.pid, what: 'server' });
  t.throws(() => restoreDatabase(out, server.dataDir), { code: 'conflict', message: /is using/ });

  await server.close();
  serverOpen = false;

  // Restore brings it back: into a new folder, where it verifies and the writer carries on.
  const target = join(tempDir(t, 'roost-restored-'), 'data');
  const r = restoreDatabase(out, target);
  t.equal(r.messages, ids.size);
  t.equal(r.keptAside, null);
  const restored = openReadOnly(target);
  t.teardown(() => restored.close());
  t.same(new Set((restored.prepare('SELECT id FROM messages').all() as Array<{ id: number }>).map((x) => String(x.id))), ids);
  t.equal(verifyChains(restored).ok, true, 'the restored history verifies');
  t.same(listAudit(restored, undefined).map((e) => e.action), ['user.add', 'user.add', 'user.add', 'user.add', 'user.add', 'room.create', 'restore']);
  const writer = await Writer.start({ dataDir: target, synchronous: 'FULL', queueMax: 10, batchMax: 10 });
  const lastSeq = (restored.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(Number(room)) as { last_seq: number }).last_seq;
  t.match(await writer.run({ k: 'send', room: Number(room), user: Number(users[0]?.id), clientMsgId: 'after-restore', body: 'back' }), { ok: true, seq: lastSeq + 1 });
  await writer.close();
});

t.test('restore over a live folder keeps the replaced database aside, whole', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['one'], Date.now());
  f.close();
  const backup = join(tempDir(t, 'roost-b-'), 'b.db');
  await backupDatabase(f.dir, backup);
  const w = openWritable(f.dir);
  new BatchApplier(w).apply([{ k: 'send', room: f.rooms.general, user: f.users.alice, clientMsgId: 'later', body: 'two' }], Date.now());
  w.close();
  const r = restoreDatabase(backup, f.dir);
  t.equal(r.messages, 1);
  t.ok(r.keptAside !== null && existsSync(r.keptAside));
  const aside = new Database(r.keptAside ?? '', { readonly: true });
  t.equal((aside.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n, 2, 'the replaced database still has all its messages');
  aside.close();
  const now = openReadOnly(f.dir);
  t.equal((now.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n, 1);
  now.close();
});

t.test('restore into a new, empty folder', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['one', 'two'], Date.now());
  f.close();
  const backup = join(tempDir(t, 'roost-b-'), 'b.db');
  await backupDatabase(f.dir, backup);
  const target = join(tempDir(t, 'roost-r-'), 'fresh');
  const r = restoreDatabase(backup, target);
  t.match(r, { users: 3, rooms: 2, messages: 2, keptAside: null, integrity: 'ok' });
  t.ok(existsSync(databasePath(target)));
});

t.test('restoring a copy of a running server\'s folder (roost.db and its -wal) keeps the commits its WAL holds, and reports them', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'roost-restore-wal-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const data = join(root, 'data');
  const copy = join(root, 'copy');
  mkdirSync(copy);
  const db = openWritable(data);
  db.pragma('wal_autocheckpoint = 0');
  for (let i = 0; i < 5; i++) db.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, 'member', 'x', 0)").run(`user${i}`);
  // Copied while the server runs: the newest commits are in the WAL, not yet in the file.
  writeFileSync(join(copy, 'roost.db'), readFileSync(join(data, 'roost.db')));
  writeFileSync(join(copy, 'roost.db-wal'), readFileSync(join(data, 'roost.db-wal')));
  db.close();
  const target = join(root, 'target');
  const r = restoreDatabase(join(copy, 'roost.db'), target);
  t.equal(r.users, 5, 'the restore reports 5 users');
  const back = new Database(databasePath(target), { readonly: true });
  t.equal((back.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n, 5, 'and the restored database holds them');
  back.close();
});

t.test('restore refuses a damaged file, a non-Roost file and a newer schema, and leaves the live database alone', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, ['keep me'], Date.now());
  f.close();
  const live = databasePath(f.dir);
  const before = createHash('sha256').update(readFileSync(live)).digest('hex');
  const dir = tempDir(t, 'roost-bad-');

  const garbage = join(dir, 'garbage.db');
  writeFileSync(garbage, Buffer.alloc(8192, 7));
  t.throws(() => restoreDatabase(garbage, f.dir), { code: 'bad_request', message: /not a readable SQLite database/ });

  const foreign = join(dir, 'foreign.db');
  new Database(foreign).exec('CREATE TABLE t (x)');
  t.throws(() => restoreDatabase(foreign, f.dir), { code: 'bad_request', message: /not a Roost database/ });

  const newer = join(dir, 'newer.db');
  await backupDatabase(f.dir, newer);
  const n = new Database(newer);
  n.pragma('user_version = 999');
  n.close();
  t.throws(() => restoreDatabase(newer, f.dir), { code: 'bad_request', message: /newer than this Roost/ });

  const damaged = join(dir, 'damaged.db');
  await backupDatabase(f.dir, damaged);
  const bytes = readFileSync(damaged);
  bytes.fill(0xff, 4096 * 2, 4096 * 3); // wipe a page in the middle
  writeFileSync(damaged, bytes);
  t.throws(() => restoreDatabase(damaged, f.dir), { code: 'bad_request' });

  t.equal(createHash('sha256').update(readFileSync(live)).digest('hex'), before, 'the live database is byte-for-byte unchanged');
  t.equal(lockHolder(f.dir), null, 'a refused restore releases the folder');
});

t.test('a full target disk gives a clear error, leaves no partial file and never touches the live data', async (t) => {
  const f = historyFixture(t);
  f.send(f.rooms.general, Array.from({ length: 2000 }, (_, i) => `filler message ${i} ${'x'.repeat(200)}`), Date.now());
  f.close();
  const live = databasePath(f.dir);
  const db = openWritable(f.dir);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const before = createHash('sha256').update(readFileSync(live)).digest('hex');
  const dir = tempDir(t, 'roost-full-');
  const target = join(dir, 'backup.db');
  // The child may write at most 256 KiB per file (RLIMIT_FSIZE), like a drive with 256 KiB free.
  // It handles SIGXFSZ (Node resets an inherited "ignore"), so the write fails with EFBIG instead of killing it.
  const script = `process.on('SIGXFSZ', () => {});
    const { backupDatabase } = await import(${JSON.stringify(new URL('../../../dist/src/store/backup/backup.js', import.meta.url).href)});
    try { await backupDatabase(process.argv[1], process.argv[2]); console.log('no error'); }
    catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })); }`;
  // The child runs the built code (npm test builds first) with no loader and no coverage: the
  // loader's helper process and coverage files written at exit would hit the size limit too.
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  const child = spawnSync('bash', ['-c', 'ulimit -f 256; exec "$@"', 'bash', process.execPath, '--input-type=module', '-e', script, f.dir, target],
    { encoding: 'utf8', timeout: 60_000, env });
  t.equal(child.status, 0, `${child.signal ?? ''} ${child.stderr}`);
  const outcome = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { code?: string; message?: string };
  t.equal(outcome.code, 'unavailable');
  t.match(outcome.message, /backup to .*backup\.db failed: (the target disk is full|the target refused the write).*the live database was not touched/);
  t.same(readdirSync(dir), [], 'no backup and no partial file are left');
  t.equal(createHash('sha256').update(readFileSync(live)).digest('hex'), before, 'the live database is unchanged');
  const check = inspectDatabase(live, { readonly: true });
  t.equal(check.integrity, 'ok');
});

t.test('a missing target folder (unmounted drive) is a clear error', async (t) => {
  const f = historyFixture(t);
  f.close();
  await t.rejects(backupDatabase(f.dir, '/nonexistent-drive/roost/backup.db'), { code: 'not_found', message: /does not exist \(is the drive mounted\?\)/ });
  const out = join(tempDir(t, 'roost-twice-'), 'b.db');
  await backupDatabase(f.dir, out);
  await t.rejects(backupDatabase(f.dir, out), { code: 'conflict' }, 'an existing backup is never overwritten');
});

t.test('scheduled backups: the server writes them, and only the newest N of its own are kept', async (t) => {
  const backupDir = tempDir(t, 'roost-sched-');
  writeFileSync(join(backupDir, 'unrelated.txt'), 'keep me');
  const server = await startTestServer({ backupIntervalMinutes: 60, backupDir, backupKeep: 2 });
  t.teardown(() => server.close());
  const sched = server.server.history.backups;
  t.ok(sched !== null);
  const names = ['roost-20240101T000000Z.db', 'roost-20240102T000000Z.db', 'roost-20240103T000000Z.db'];
  for (const n of names) writeFileSync(join(backupDir, n), 'old');
  const result = await sched?.runOnce();
  t.ok(result !== null && result !== undefined && result.integrity === 'ok');
  const left = readdirSync(backupDir).sort();
  t.same(left.filter((n) => n.startsWith('roost-')), [names[2], result?.file.split('/').pop()].sort());
  t.ok(left.includes('unrelated.txt'), 'files Roost did not name are never deleted');
  t.same(pruneBackups(backupDir, 5), []);
  const audit = server.admin((db) => listAudit(db, undefined)).filter((e) => e.action === 'backup');
  t.match(audit, [{ actor: 'server', actorName: 'scheduled-backup', details: { pruned: names.slice(0, 2), filesNotPruned: /roost-20240103T000000Z\.db cannot be read/ } }],
    'the backup that is not a database stops file pruning, and the audit log says so');
  rmSync(join(backupDir, names[2] ?? ''));
  const orphan = join(backupDir, 'files', 'ab', `ab${'0'.repeat(62)}`);
  mkdirSync(dirname(orphan), { recursive: true });
  writeFileSync(orphan, 'an upload no backup names');
  // Backups are named by the second: the next one must not share the first one's name.
  for (const until = Date.now() + 1500; backupFileName() === result?.file.split('/').pop() && Date.now() < until;) await sleep(50);
  t.ok(await sched?.runOnce());
  t.notOk(existsSync(orphan), 'the next backup removes the content no backup names');
  t.match(server.admin((db) => listAudit(db, undefined)).filter((e) => e.action === 'backup').at(-1), { details: { filesRemoved: 1, filesRemovedBytes: 25 } });

  // files/ that cannot be listed (here a plain file: ENOTDIR) is not "nothing to prune".
  rmSync(join(backupDir, 'files'), { recursive: true, force: true });
  writeFileSync(join(backupDir, 'files'), 'not a folder');
  const second = readdirSync(backupDir).filter((n) => n.startsWith('roost-')).sort().at(-1);
  for (const until = Date.now() + 1500; backupFileName() === second && Date.now() < until;) await sleep(50);
  t.ok(await sched?.runOnce());
  t.match(server.admin((db) => listAudit(db, undefined)).filter((e) => e.action === 'backup').at(-1), { details: { filesNotPruned: /files cannot be read \(ENOTDIR: / } },
    'the audit entry says why files were not pruned');
});

t.test('a scheduled backup whose uploaded files are not all in the data folder says so in the log and the audit entry', async (t) => {
  const backupDir = tempDir(t, 'roost-sched-missing-');
  const server = await startTestServer({ backupIntervalMinutes: 60, backupDir });
  t.teardown(() => server.close());
  const alice = await server.user('alice');
  const room = await server.room('porch', ['alice']);
  const up = await fetch(`${server.http}/api/v1/rooms/${room}/files?name=note.txt`, {
    method: 'POST', body: 'a note that will be lost', headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'text/plain' },
  });
  t.equal(up.status, 201);
  const sha = createHash('sha256').update('a note that will be lost').digest('hex');
  rmSync(blobPath(server.dataDir, sha));
  const result = await server.server.history.backups?.runOnce();
  t.equal(result?.files?.missing, 1);
  t.match(server.admin((db) => listAudit(db, undefined)).filter((e) => e.action === 'backup').at(-1), { details: { filesMissing: 1 } },
    'the audit entry counts the missing file');
});
