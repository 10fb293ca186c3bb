import t from 'tap';
import type { AdminOpName, AdminStore, Outcome } from '../../src/chat/admin-ports.js';
import { AdminService, type Caller } from '../../src/chat/admin-service.js';

const root: Caller = { userId: 1, name: 'root', role: 'admin' };
const alice: Caller = { userId: 2, name: 'alice', role: 'member' };
const user = { id: '9', name: 'nina', role: 'member' as const, disabled: false, createdAt: 0 };

/** A store that records what it was asked and answers from a table. */
function fakeStore(answers: Partial<Record<AdminOpName, Outcome<unknown>>>): AdminStore & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    run: (k, _args, actor) => {
      asked.push(`${k}:${actor}`);
      return Promise.resolve((answers[k] ?? { ok: true, value: {} }) as never);
    },
  };
}

function service(store: AdminStore) {
  const calls = { hashed: 0, applied: 0, sessions: 0 };
  const s = new AdminService({
    store,
    directory: { users: () => [], rooms: () => [] },
    issueSession: () => { calls.sessions++; return Promise.resolve({ ok: true, value: 'session-token' }); },
    afterChange: () => { calls.applied++; },
    hash: (p) => { calls.hashed++; return Promise.resolve(`hash(${p})`); },
  });
  return { s, calls };
}

t.test('a member is refused with admin_only before the store is asked', async (t) => {
  const store = fakeStore({});
  const { s, calls } = service(store);
  t.match(await s.createUser(alice, 'eve', 'member'), { ok: false, code: 'forbidden', reason: 'admin_only' });
  t.match(await s.addMember(alice, '1', 'eve'), { ok: false, reason: 'admin_only' });
  t.match(await s.links(alice), { ok: false, reason: 'admin_only' });
  t.match(s.users(alice), { ok: false, reason: 'admin_only' });
  t.same(store.asked, []);
  t.equal(calls.hashed, 0, 'no password was even hashed');
});

t.test('an admin\'s change runs as the admin and is applied live only once it committed', async (t) => {
  const store = fakeStore({ 'room.add': { ok: true, value: { changed: true } }, 'room.remove': { ok: false, code: 'not_found', message: 'no room' } });
  const { s, calls } = service(store);
  t.match(await s.addMember(root, '1', 'alice'), { ok: true, value: { changed: true } });
  t.equal(calls.applied, 1);
  t.match(await s.removeMember(root, '99', 'alice'), { ok: false, code: 'not_found' });
  t.equal(calls.applied, 1, 'a refused change is not applied');
  t.same(store.asked, ['room.add:root', 'room.remove:root']);
});

t.test('creating a user answers the generated password that was hashed for the store', async (t) => {
  const store = fakeStore({ 'user.create': { ok: true, value: user } });
  const { s, calls } = service(store);
  const r = await s.createUser(root, 'nina', 'member');
  t.match(r, { ok: true, value: { user, password: /^[A-Za-z0-9]{20}$/ } });
  t.equal(calls.hashed, 1);
});

t.test('redeeming a spent link is refused before the password is hashed; a weak password before anything', async (t) => {
  const spent = fakeStore({ 'invite.check': { ok: false, code: 'forbidden', reason: 'invite_link_spent', message: 'spent' } });
  const a = service(spent);
  t.match(await a.s.redeem({ token: 't', name: 'nina', password: 'marble-otter-4471' }, '10.0.0.2'), { ok: false, reason: 'invite_link_spent' });
  t.equal(a.calls.hashed, 0);
  t.same(spent.asked, ['invite.check:']);

  const weak = fakeStore({});
  const b = service(weak);
  t.match(await b.s.redeem({ token: 't', name: 'nina', password: 'short' }, '10.0.0.2'), { ok: false, code: 'bad_request' });
  t.same(weak.asked, []);

  const good = fakeStore({ 'invite.check': { ok: true, value: { expiresAt: 1, rooms: [] } }, 'invite.redeem': { ok: true, value: { user, rooms: ['3'] } } });
  const c = service(good);
  t.match(await c.s.redeem({ token: 't', name: 'nina', password: 'marble-otter-4471' }, '10.0.0.2'), { ok: true, value: { token: 'session-token', user, rooms: ['3'] } });
  t.same(good.asked, ['invite.check:', 'invite.redeem:nina']);
  t.equal(c.calls.applied, 1, 'the new member is applied to live state');
  t.equal(c.calls.sessions, 1);
});
