import t from 'tap';
import { addMember } from '../../src/store/admin/admin.js';
import { createBot } from '../../src/store/admin/bots.js';
import { startTestServer } from '../helpers/server.js';

t.test('a bot uses its token on the WebSocket and the HTTP API like a person, and is marked a bot', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  const alice = await ts.user('alice');
  const room = await ts.room('family', ['alice']);
  const { bot, token } = ts.admin((db) => createBot(db, 'weather'));
  ts.admin((db) => addMember(db, 'family', 'weather'));
  await ts.followed();

  const watcher = await ts.connect(alice.token);
  const socket = await ts.connect(token);
  const heard = watcher.next((f) => f.type === 'message' && f.body === 'rain at noon');
  const ack = await socket.request({ type: 'send', id: 's1', room, body: 'rain at noon', clientMsgId: 'w-1' });
  t.match(ack, { type: 'ack', room });
  t.equal((await heard).from, String(bot.id), 'a member sees the bot\'s message live');

  const res = await fetch(`${ts.http}/api/v1/rooms/${room}/messages`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ body: 'sunny later', clientMsgId: 'w-2' }),
  });
  t.equal(res.status, 201, 'the HTTP API takes the bot\'s token');

  const members = await watcher.request({ type: 'members', id: 'm', room });
  t.match(members, { members: [{ user: alice.id }, { user: String(bot.id), bot: true }] }, 'members marks the bot');
  t.notOk((members.members as Array<{ bot?: boolean }>)[0]?.bot, 'and not a person');
  const users = await watcher.request({ type: 'users', id: 'u', query: 'weath' });
  t.match(users, { users: [{ name: 'weather', bot: true }] }, 'users marks the bot');
  const profile = await watcher.request({ type: 'profile', id: 'p', user: String(bot.id) });
  t.match(profile, { name: 'weather', bot: true }, 'its profile marks it');
});

t.test('a bot cannot sign in with a password, not even an empty one', async (t) => {
  const ts = await startTestServer();
  t.teardown(() => ts.close());
  ts.admin((db) => createBot(db, 'weather'));
  for (const password of ['', 'anything']) {
    const res = await fetch(`${ts.http}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'weather', password }) });
    t.equal(res.status, 401, `password ${JSON.stringify(password)} refused`);
    t.match(await res.json(), { error: { code: 'unauthorized', message: 'wrong user name or password' } }, 'the same answer as a wrong password');
  }
});

t.test('a bot\'s token is a Matrix access token too: it syncs, sends, and its membership says it is a bot', async (t) => {
  const ts = await startTestServer({ matrixServerName: 'roost.test' });
  t.teardown(() => ts.close());
  const alice = await ts.user('alice');
  const room = await ts.room('family', ['alice']);
  const { token } = ts.admin((db) => createBot(db, 'doorbell'));
  ts.admin((db) => addMember(db, 'family', 'doorbell'));
  await ts.followed();
  const mx = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${ts.http}/_matrix/client/v3/${path}`, {
      method, headers: { Authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  t.match((await mx('GET', 'account/whoami')).body, { user_id: '@doorbell:roost.test' });
  const roomId = `!r${room}:roost.test`;
  const watcher = await ts.connect(alice.token);
  const heard = watcher.next((f) => f.type === 'message' && f.body === 'someone is at the door');
  const sent = await mx('PUT', `rooms/${encodeURIComponent(roomId)}/send/m.room.message/ring-1`, { msgtype: 'm.text', body: 'someone is at the door' });
  t.equal(sent.status, 200, 'the bot sends over the Matrix door');
  t.ok(await heard, 'a native member hears it');
  const sync = await mx('GET', 'sync');
  const joined = (sync.body.rooms as { join: Record<string, { state: { events: Array<{ type: string; state_key: string; content: Record<string, unknown> }> } }> }).join[roomId];
  const members = joined?.state.events.filter((e) => e.type === 'm.room.member') ?? [];
  t.match(members.find((e) => e.state_key === '@doorbell:roost.test')?.content, { membership: 'join', 'io.roost.bot': true }, 'its membership marks the bot');
  t.notOk(members.find((e) => e.state_key === '@alice:roost.test')?.content['io.roost.bot'], 'and not a person');
});
