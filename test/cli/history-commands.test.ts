import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { addUser, createRoom } from '../../src/store/admin/admin.js';
import { BatchApplier } from '../../src/store/write/batch-applier.js';
import { openWritable } from '../../src/store/db/database.js';
import { lockPath } from '../../src/store/db/data-lock.js';
import { roost } from './run.js';

/** A data folder with alice and bob in "general" and 30 messages. */
function dataFolder(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'roost-cli-history-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = openWritable(dir);
  const alice = addUser(db, 'alice', 'member', 'x').id;
  addUser(db, 'bob', 'member', 'x');
  const room = createRoom(db, 'general', ['alice', 'bob'], undefined, { entries: false }).id;
  new BatchApplier(db).apply(Array.from({ length: 30 }, (_, i) => ({ k: 'send' as const, room, user: alice, clientMsgId: `m${i}`, body: `message ${i} <b>&</b>` })), Date.UTC(2024, 5, 1));
  db.close();
  return dir;
}

t.test('roost retention set/show and hold set/clear', async (t) => {
  const data = dataFolder(t);
  t.match(await roost(['retention', 'set', '90', '--data', data]), { code: 0, stdout: /retention for the default: 90 days/ });
  t.match(await roost(['retention', 'set', '--room', 'general', 'forever', '--data', data]), { code: 0, stdout: /general: forever/ });
  t.match(await roost(['hold', 'set', 'general', '--data', data]), { code: 0, stdout: /legal hold on/ });
  const show = await roost(['retention', 'show', '--data', data]);
  t.equal(show.code, 0);
  t.match(show.stdout, /default: 90 days/);
  t.match(show.stdout, /general\s+forever\s+HOLD\s+1\s+0/);
  t.match(await roost(['hold', 'clear', 'general', '--data', data]), { code: 0, stdout: /legal hold off/ });
  t.match(await roost(['retention', 'set', 'soon', '--data', data]), { code: 1, stderr: /retention must be a number of days/ });
  t.match(await roost(['hold', 'set', 'nowhere', '--data', data]), { code: 1, stderr: /no room "nowhere"/ });
});

t.test('roost verify passes, then fails after a row is edited with SQL, naming the row', async (t) => {
  const data = dataFolder(t);
  const ok = await roost(['verify', '--data', data]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /^ok\s+room \d+ general: 30 messages \(seq 1\.\.30\), head [0-9a-f]{64}$/m);
  t.match(ok.stdout, /^ok\s+audit log: \d+ entries/m);
  const db = openWritable(data);
  db.prepare("UPDATE messages SET body = 'I never said that' WHERE seq = 17").run();
  db.close();
  const bad = await roost(['verify', '--room', 'general', '--data', data]);
  t.equal(bad.code, 1);
  t.match(bad.stdout, /BROKEN\s+room \d+ general: altered at seq 17/);
  t.match(bad.stderr, /verification failed/);
  const json = await roost(['verify', '--json', '--data', data]);
  t.match(JSON.parse(json.stdout), { chains: { ok: false, rooms: [{ problem: { kind: 'altered', seq: 17 } }] }, audit: { ok: true } });
});

t.test('roost export writes the file and its manifest; roost audit lists it with the actor', async (t) => {
  const data = dataFolder(t);
  const out = join(data, 'general.html');
  const r = await roost(['export', '--room', 'general', '--format', 'html', '--out', out, '--data', data]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /exported 30 messages of general \(seq 1\.\.30\)/);
  t.ok(existsSync(`${out}.manifest.json`));
  t.match(readFileSync(out, 'utf8'), /message 29 &lt;b&gt;&amp;&lt;\/b&gt;/);
  const toStdout = await roost(['export', '--room', 'general', '--data', data]);
  t.equal(toStdout.stdout.trim().split('\n').length, 30, 'JSONL on standard output');
  t.match(JSON.parse(toStdout.stderr), { count: 30, file: '-' }, 'the manifest on standard error');
  t.match(await roost(['export', '--room', 'general', '--format', 'pdf', '--data', data]), { code: 2, stderr: /--format must be jsonl, csv or html/ });
  t.match(await roost(['export', '--room', 'general', '--from', 'last week', '--data', data]), { code: 1, stderr: /is not a date/ });

  const audit = await roost(['audit', '--json', '--data', data]);
  t.equal(audit.code, 0);
  const entries = audit.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; actor: string; osUser: string; ts: string });
  t.same(entries.map((e) => e.action), ['user.add', 'user.add', 'room.create', 'export', 'export']);
  t.ok(entries.every((e) => e.actor === 'cli' && e.osUser === userInfo().username));
  t.ok(entries.every((e) => e.ts.endsWith('Z')));
  const later = await roost(['audit', '--since', '2999-01-01', '--data', data]);
  t.equal(later.stdout.trim().split('\n').length, 1, 'only the header: nothing since then');
});

t.test('roost backup, and roost restore: refused while a server holds the folder, then restored', async (t) => {
  const data = dataFolder(t);
  const out = join(data, 'copy.db');
  const umaskBefore = process.umask(0o022);
  const b = await roost(['backup', '--out', out, '--data', data]);
  process.umask(umaskBefore);
  t.equal(b.code, 0, b.stderr);
  t.match(b.stdout, /backup written to .*copy\.db: \d+ bytes, 30 messages, 1 rooms, 2 users; integrity ok/);
  t.match(b.stdout, /^uploaded files: none named by this backup$/m, 'the output says what was written beside the .db');
  t.equal(statSync(out).mode & 0o777, 0o600, 'the backup is owner-only under a permissive umask');
  t.match(await roost(['backup', '--out', join(data, 'no', 'such', 'dir.db'), '--data', data]), { code: 1, stderr: /does not exist \(is the drive mounted\?\)/ });

  const target = mkdtempSync(join(tmpdir(), 'roost-cli-restore-'));
  t.teardown(() => rmSync(target, { recursive: true, force: true }));
  // This test process stands in for a running server: its pid is alive.
  writeFileSync(lockPath(target), `${process.pid}\nserver\n`);
  t.match(await roost(['restore', out, '--data', target]), { code: 1, stderr: new RegExp(`a Roost server \\(pid ${process.pid}\\) is using`) });
  rmSync(lockPath(target));
  const r = await roost(['restore', out, '--data', target]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /restored .*copy\.db into .*roost\.db/);
  t.match(r.stdout, /2 users, 1 rooms, 30 messages; newest message 2024-06-01T00:00:00\.000Z; schema \d+; integrity ok/);
  t.match(r.stdout, /the folder had no database before/);
  const again = await roost(['restore', out, '--data', target]);
  t.match(again.stdout, /the replaced database is kept at .*roost\.db\.replaced-/);
  t.match((await roost(['verify', '--data', target])).code, 0);
});
