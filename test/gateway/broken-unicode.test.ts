import t from 'tap';
import { createHook } from '../../src/store/admin/hooks.js';
import { startTestServer } from '../helpers/server.js';

// A lone surrogate cannot be stored as UTF-8: SQLite would keep U+FFFD instead. Like the socket door
// (parse.ts, test/gateway/bad-input.test.ts), the HTTP doors refuse such text rather than alter it.
const s = await startTestServer();
t.teardown(() => s.close());
const root = await s.user('root', 'admin');
await s.room('family', ['root']);

t.test('an incoming hook refuses a message with a lone surrogate instead of storing it altered', async (t) => {
  const made = s.admin((db) => createHook(db, { room: 'family', name: 'nas', createdBy: 'test' }));
  await s.followed();
  const res = await fetch(`${s.http}/api/v1/hooks/${made.token}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"backup \\ud800 done"}',
  });
  const body = await res.text();
  t.equal(res.status, 400, `answered ${res.status} ${body}`);
  const stored = s.admin((db) => db.prepare("SELECT body FROM messages WHERE body LIKE 'backup %'").all() as Array<{ body: string }>);
  t.same(stored, [], 'nothing stored');
});

t.test('redeeming an invitation refuses a display name with a lone surrogate instead of storing it altered', async (t) => {
  const link = await fetch(`${s.http}/api/v1/admin/invite-links`, {
    method: 'POST', headers: { Authorization: `Bearer ${root.token}` }, body: JSON.stringify({ expiresInHours: 1, maxUses: 1, rooms: [] }),
  });
  const { token } = (await link.json()) as { token: string };
  const res = await fetch(`${s.http}/api/v1/invite-links/redeem`, {
    method: 'POST', body: `{"token":"${token}","name":"ana","password":"violet-harbour-93","displayName":"Ana \\udc00"}`,
  });
  const body = await res.text();
  t.equal(res.status, 400, `answered ${res.status} ${body}`);
  const row = s.admin((db) => db.prepare("SELECT display_name FROM users WHERE name = 'ana'").get() as { display_name: string } | undefined);
  t.equal(row, undefined, `no account made (stored display name: ${JSON.stringify(row?.display_name)})`);
});
