import t from 'tap';
import { openReadOnly } from '../../src/store/db/database.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { roost } from './run.js';
import { userData } from './user-data.js';

function settingRow(data: string): Record<string, unknown> | undefined {
  const db = openReadOnly(data);
  try {
    return db.prepare('SELECT enabled, url, model, allow_remote FROM assistant_settings').get() as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

t.test('enable stores the setting and makes the assistant bot; status asks the model server; disable turns it off; all audited', async (t) => {
  const f = userData(t);
  const llm = await startFakeLlm();
  t.teardown(() => llm.close());
  llm.models = ['tiny', 'other'];

  const on = await roost(['assistant', 'enable', '--url', `${llm.url}/`, '--model', 'tiny', '--data', f.data]);
  t.equal(on.code, 0, on.stderr);
  t.match(on.stdout, /assistant enabled: @assistant asks tiny/);
  t.match(settingRow(f.data), { enabled: 1, url: llm.url, model: 'tiny', allow_remote: 0 }, 'stored without the trailing slash');
  t.match(f.userRow('assistant'), { hash: '' }, 'the assistant is a bot: no password');

  const status = await roost(['assistant', 'status', '--json', '--data', f.data]);
  t.equal(status.code, 0, status.stderr);
  t.match(JSON.parse(status.stdout), { enabled: true, url: llm.url, model: 'tiny', bot: 'assistant', allowRemote: false, reachable: true, modelPresent: true });

  const again = await roost(['assistant', 'enable', '--url', llm.url, '--model', 'missing', '--data', f.data]);
  t.equal(again.code, 0, 'enabling again changes the model and keeps the bot');
  const missing = await roost(['assistant', 'status', '--data', f.data]);
  t.match(missing.stdout, /reachable: yes/);
  t.match(missing.stdout, /model present: no \(the server has: tiny, other\)/);

  const off = await roost(['assistant', 'disable', '--data', f.data]);
  t.equal(off.code, 0, off.stderr);
  t.match(settingRow(f.data), { enabled: 0 });
  const offStatus = await roost(['assistant', 'status', '--data', f.data]);
  t.match(offStatus.stdout, /assistant: disabled/);

  const audit = f.auditActions().filter((a) => a.action.startsWith('assistant.'));
  t.same(audit.map((a) => a.action), ['assistant.enable', 'assistant.enable', 'assistant.disable']);
  t.match(JSON.parse(audit[0]?.details ?? '{}'), { url: llm.url, model: 'tiny', bot: 'assistant', allowRemote: false });
});

t.test('a URL outside the LAN is refused unless --allow-remote, which the audit log and the doctor show', async (t) => {
  const f = userData(t);
  const refused = await roost(['assistant', 'enable', '--url', 'http://203.0.113.7:11434', '--model', 'tiny', '--data', f.data]);
  t.equal(refused.code, 2, 'a usage error');
  t.match(refused.stderr, /203\.0\.113\.7 is not on the LAN.*--allow-remote/);
  t.equal(settingRow(f.data), undefined, 'nothing stored');

  const allowed = await roost(['assistant', 'enable', '--url', 'http://203.0.113.7:11434', '--model', 'tiny', '--allow-remote', '--data', f.data]);
  t.equal(allowed.code, 0, allowed.stderr);
  t.match(allowed.stdout, /remote allowed/);
  t.match(JSON.parse(f.auditActions().find((a) => a.action === 'assistant.enable')?.details ?? '{}'), { allowRemote: true });

  const doctor = await roost(['doctor', '--json', '--data', f.data]);
  const check = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; detail: string }> }).checks.find((c) => c.id === 'assistant');
  t.match(check, { status: 'warn', detail: /remote targets allowed/ });
});

t.test('status says when the model server is unreachable, within its short timeout', async (t) => {
  const f = userData(t);
  const llm = await startFakeLlm();
  const url = llm.url;
  await llm.close();
  const on = await roost(['assistant', 'enable', '--url', url, '--model', 'tiny', '--data', f.data]);
  t.equal(on.code, 0, on.stderr);
  const status = await roost(['assistant', 'status', '--json', '--data', f.data]);
  t.equal(status.code, 0, status.stderr);
  t.match(JSON.parse(status.stdout), { enabled: true, reachable: false, modelPresent: false, why: /could not be reached/ });
});

t.test('the assistant\'s name may not be a person\'s', async (t) => {
  const f = userData(t);
  const made = await roost(['user', 'add', 'assistant', '--password-stdin', '--data', f.data], { input: 'correct horse battery staple\n' });
  t.equal(made.code, 0, made.stderr);
  const on = await roost(['assistant', 'enable', '--url', 'http://127.0.0.1:9', '--model', 'tiny', '--data', f.data]);
  t.equal(on.code, 1);
  t.match(on.stderr, /is a person, not a bot/);
});
