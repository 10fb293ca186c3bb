import t from 'tap';
import { verifyPassword } from '../../src/auth/password.js';
import { listAudit } from '../../src/store/history/audit.js';
import { startTestServer } from '../helpers/server.js';

const s = await startTestServer();
t.teardown(() => s.close());
const root = await s.user('root', 'admin');
const alice = await s.user('alice');
const room = await s.room('general', ['root', 'alice']);

async function post(path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${s.http}${path}`, {
    method: 'POST',
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const stored = (name: string): { hash: string; disabled: number; role: string } =>
  s.admin((db) => db.prepare('SELECT password_hash AS hash, disabled, role FROM users WHERE name = ?').get(name) as { hash: string; disabled: number; role: string });
const lastAudit = (): { action: string; actor: string; actorName: string; details: unknown } => {
  const e = s.admin((db) => listAudit(db, 0)).at(-1);
  if (e === undefined) throw new Error('no audit entry');
  return e;
};

t.test('every admin action is refused to a member (forbidden, admin_only) and to no token, and changes nothing', async (t) => {
  const actions: Array<[string, unknown]> = [
    ['/api/v1/admin/users', { name: 'sneaky' }],
    ['/api/v1/admin/users/alice/password', undefined],
    ['/api/v1/admin/users/root/disable', undefined],
    ['/api/v1/admin/users/alice/enable', undefined],
    ['/api/v1/admin/users/alice/role', { role: 'admin' }],
    ['/api/v1/admin/rooms', { name: 'sneaky' }],
    [`/api/v1/admin/rooms/${room}/members`, { user: 'alice' }],
    [`/api/v1/admin/rooms/${room}/members/root/remove`, undefined],
    ['/api/v1/admin/invite-links', { expiresInHours: 1, maxUses: 1, rooms: [] }],
    ['/api/v1/admin/invite-links/0123456789ab/revoke', undefined],
  ];
  const auditBefore = s.admin((db) => listAudit(db, 0)).length;
  for (const [path, body] of actions) {
    const member = await post(path, alice.token, body);
    t.equal(member.status, 403, `${path}: a member gets 403`);
    t.match(member.body, { error: { code: 'forbidden', reason: 'admin_only' } });
    t.equal((await post(path, undefined, body)).status, 401, `${path}: no token gets 401`);
  }
  const list = await fetch(`${s.http}/api/v1/admin/invite-links`, { headers: { Authorization: `Bearer ${alice.token}` } });
  t.equal(list.status, 403);
  t.equal(s.admin((db) => listAudit(db, 0)).length, auditBefore, 'no audit entry: nothing happened');
  t.equal(stored('root').disabled, 0);
  t.equal(stored('alice').role, 'member');
});

t.test('creating a user answers a generated password once and writes the CLI\'s audit entry with the admin as actor', async (t) => {
  const r = await post('/api/v1/admin/users', root.token, { name: 'dana' });
  t.equal(r.status, 201);
  t.match(r.body, { user: { name: 'dana', role: 'member', disabled: false }, password: /^[A-Za-z0-9]{20}$/ });
  t.equal(await verifyPassword(String(r.body.password), stored('dana').hash), true);
  t.match(lastAudit(), { action: 'user.add', actor: 'api', actorName: 'root', details: { user: 'dana', role: 'member' } });
  const login = await fetch(`${s.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'dana', password: r.body.password }) });
  t.equal(login.status, 200, 'the new user can sign in with it');

  t.match(await post('/api/v1/admin/users', root.token, { name: 'dana' }), { status: 409, body: { error: { code: 'conflict' } } });
  t.match(await post('/api/v1/admin/users', root.token, { name: 'no spaces' }), { status: 400 });
  t.match(await post('/api/v1/admin/users', root.token, { name: 'x', role: 'owner' }), { status: 400 });
  t.equal(stored('x'), undefined, 'a refused request makes nothing');
});

t.test('reset password, role, disable and enable each take effect and are audited', async (t) => {
  const before = stored('dana').hash;
  const reset = await post('/api/v1/admin/users/dana/password', root.token);
  t.equal(reset.status, 200);
  t.not(stored('dana').hash, before);
  t.equal(await verifyPassword(String(reset.body.password), stored('dana').hash), true);
  t.match(lastAudit(), { action: 'user.passwd', actorName: 'root' });

  t.match(await post('/api/v1/admin/users/dana/role', root.token, { role: 'admin' }), { status: 200, body: { user: { role: 'admin' } } });
  t.match(lastAudit(), { action: 'user.role', actorName: 'root', details: { user: 'dana', role: 'admin' } });
  t.match(await post('/api/v1/admin/users/dana/role', root.token, { role: 'member' }), { status: 200, body: { user: { role: 'member' } } });

  const login = await fetch(`${s.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'dana', password: reset.body.password }) });
  const { token } = (await login.json()) as { token: string };
  const socket = await s.connect(token);
  t.match(await post('/api/v1/admin/users/dana/disable', root.token), { status: 200, body: { user: { disabled: true } } });
  t.match(await socket.closed, { code: 4001 }, 'the disabled user\'s socket closes');
  t.match(lastAudit(), { action: 'user.disable', actorName: 'root' });
  t.match(await post('/api/v1/admin/users/dana/enable', root.token), { status: 200, body: { user: { disabled: false } } });
  t.match(lastAudit(), { action: 'user.enable', actorName: 'root' });
  t.match(await post('/api/v1/admin/users/nobody/disable', root.token), { status: 404 });
});

t.test('the last enabled admin can be neither disabled nor made a member: someone must be able to run the server', async (t) => {
  await s.user('erin');
  const audits = s.admin((db) => listAudit(db, 0)).length;
  t.match(await post('/api/v1/admin/users/root/disable', root.token), { status: 409, body: { error: { code: 'conflict', message: 'root is the last admin; make someone else admin before disabling them' } } });
  t.match(await post('/api/v1/admin/users/root/role', root.token, { role: 'member' }), { status: 409, body: { error: { code: 'conflict', message: 'root is the last admin; make someone else admin before making them a member' } } });
  t.match(stored('root'), { disabled: 0, role: 'admin' }, 'root is unchanged');
  t.equal(s.admin((db) => listAudit(db, 0)).length, audits, 'nothing audited');
  t.match(await post('/api/v1/admin/users/erin/role', root.token, { role: 'admin' }), { status: 200 });
  t.match(await post('/api/v1/admin/users/erin/disable', root.token), { status: 200 }, 'with root still an admin, erin may be disabled');
  t.match(await post('/api/v1/admin/users/root/role', root.token, { role: 'member' }), { status: 409 }, 'a disabled admin does not count');
  t.match(await post('/api/v1/admin/users/erin/enable', root.token), { status: 200 });
  t.match(await post('/api/v1/admin/users/erin/role', root.token, { role: 'member' }), { status: 200 });
});

t.test('a member added over HTTP is live at once: when the answer comes, their socket is subscribed and may post', async (t) => {
  const bob = await s.user('bob');
  const socket = await s.connect(bob.token);
  const made = await post('/api/v1/admin/rooms', root.token, { name: 'kitchen', members: ['root'] });
  t.equal(made.status, 201);
  const kitchen = String((made.body.room as { id: string }).id);
  t.match(lastAudit(), { action: 'room.create', actorName: 'root', details: { room: 'kitchen', members: ['root'] } });

  const latest = (): number => s.admin((db) => (db.prepare('SELECT max(id) AS id FROM events').get() as { id: number }).id);
  const added = await post(`/api/v1/admin/rooms/${kitchen}/members`, root.token, { user: 'bob' });
  t.match(added, { status: 200, body: { changed: true } });
  t.equal(s.server.appliedEventId(), latest(), 'the change was applied to live state before the answer');
  t.match(lastAudit(), { action: 'room.add', actorName: 'root', details: { room: 'kitchen', user: 'bob', changed: true } });
  const ack = await socket.request({ type: 'send', room: kitchen, body: 'hello kitchen', clientMsgId: 'k1' });
  t.match(ack, { type: 'ack' }, 'bob may post straight away');

  const removed = await post(`/api/v1/admin/rooms/${kitchen}/members/bob/remove`, root.token);
  t.match(removed, { status: 200, body: { changed: true } });
  t.equal(s.server.appliedEventId(), latest());
  t.match(await socket.request({ type: 'send', room: kitchen, body: 'still here?', clientMsgId: 'k2' }), { type: 'error', code: 'forbidden' });
  t.match(lastAudit(), { action: 'room.remove', actorName: 'root' });
});

t.test('invite links: made with a URL on the request\'s host, listed without their token, revoked', async (t) => {
  const made = await post('/api/v1/admin/invite-links', root.token, { expiresInHours: 48, maxUses: 3, rooms: [room], note: 'neighbours' });
  t.equal(made.status, 201);
  const token = String(made.body.token);
  t.equal(made.body.url, `${s.http}/join/${token}`);
  t.match(made.body, { maxUses: 3, uses: 0, rooms: [room], note: 'neighbours', state: 'usable', createdBy: root.id });
  t.match(lastAudit(), { action: 'invite.create', actorName: 'root', details: { rooms: ['general'], maxUses: 3 } });

  const res = await fetch(`${s.http}/api/v1/admin/invite-links`, { headers: { Authorization: `Bearer ${root.token}` } });
  const text = await res.text();
  t.equal(res.status, 200);
  t.notOk(text.includes(token), 'the list never shows a token');
  t.match(JSON.parse(text), { links: [{ id: made.body.id, state: 'usable' }] });

  t.match(await post(`/api/v1/admin/invite-links/${String(made.body.id)}/revoke`, root.token), { status: 200, body: { changed: true } });
  t.match(lastAudit(), { action: 'invite.revoke', actorName: 'root' });
  const redeem = await post('/api/v1/invite-links/redeem', undefined, { token, name: 'erin', password: 'violet-harbour-93' });
  t.match(redeem, { status: 403, body: { error: { code: 'forbidden', reason: 'invite_link_spent' } } });
  t.match(await post('/api/v1/admin/invite-links', root.token, { expiresInHours: 1, maxUses: 0, rooms: [] }), { status: 400 });
});
