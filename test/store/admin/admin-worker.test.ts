import t from 'tap';
import { AdminWorker } from '../../../src/store/admin/admin-worker.js';
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
