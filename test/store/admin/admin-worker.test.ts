import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { AdminWorker } from '../../../src/store/admin/admin-worker.js';
import { openWritable } from '../../../src/store/db/database.js';
import { historyFixture } from '../history-fixture.js';

t.test('the admin thread starts on the first admin action, and that action is answered', async (t) => {
  const f = historyFixture(t);
  f.close();
  const admin = new AdminWorker(f.dir, 'FULL');
  t.equal(admin.started, false, 'a server no admin has used has no admin thread');
  const listed = await admin.run('invite.list', {}, 'alice');
  t.same(listed, { ok: true, value: [] }, 'the first action is answered');
  t.equal(admin.started, true, 'the thread runs after the first action');
  await admin.close();
});

t.test('an admin thread never started closes at once, and then refuses actions as unavailable', async (t) => {
  const admin = new AdminWorker('/nonexistent-roost-folder', 'FULL');
  await admin.close();
  t.equal(admin.started, false, 'closing did not start it');
  const refused = await admin.run('invite.list', {}, 'alice');
  t.match(refused, { ok: false, code: 'unavailable' });
});

t.test('a thread that died is started again by an action after the restart delay, not before', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'roost-admin-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  // The data folder's place is taken by a file: the thread cannot open the database and dies.
  const dir = join(root, 'data');
  writeFileSync(dir, 'not a folder');
  let clock = 1_000;
  const failures: string[] = [];
  const admin = new AdminWorker(dir, 'FULL', (m) => failures.push(m), 5_000, () => clock);
  t.teardown(() => admin.close());

  const first = await admin.run('invite.list', {}, 'alice');
  t.match(first, { ok: false, code: 'unavailable', message: /admin thread/ }, 'the action in flight is answered unavailable');
  t.equal(failures.length, 1, 'the death is reported once');
  t.equal(admin.started, false, 'no thread runs');

  rmSync(dir);
  openWritable(dir).close();
  clock += 4_999;
  t.match(await admin.run('invite.list', {}, 'alice'), { ok: false, code: 'unavailable' }, 'within the delay: refused without a new thread');
  t.equal(admin.started, false, 'no thread was started for it');

  clock += 1;
  t.same(await admin.run('invite.list', {}, 'alice'), { ok: true, value: [] }, 'after it: a new thread answers');
  t.equal(failures.length, 1, 'and nothing more was reported');
});
