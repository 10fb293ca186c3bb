import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx, type Json } from './helpers.js';

const NAME = 'roost.test';

t.test('a message sent to a member just before they are kicked reaches them in the leave section', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', invite: [`@bob:${NAME}`] } });
  const roomId = made.body.room_id as string;
  const base = `/_matrix/client/v3/rooms/${roomId}`;
  const b = await matrixLogin(s, 'bob', bob.password);
  t.equal((await mx(s, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, { token: b.token, body: {} })).status, 200);
  const since = (await mx(s, 'GET', '/_matrix/client/v3/sync', { token: b.token })).body.next_batch as string;
  const last = await mx(s, 'PUT', `${base}/send/m.room.message/w1`, { token: a.token, body: { msgtype: 'm.text', body: 'you are out, bob' } });
  t.equal((await mx(s, 'POST', `${base}/kick`, { token: a.token, body: { user_id: `@bob:${NAME}` } })).status, 200);
  const next = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=0`, { token: b.token });
  const left = next.body.rooms.leave[roomId];
  t.ok(left, 'the room is in the leave section');
  const ids = ((left?.timeline.events ?? []) as Json[]).map((e) => e.event_id);
  t.ok(ids.includes(last.body.event_id), `the message sent while bob was a member reaches him (leave timeline: ${JSON.stringify(ids)})`);
  const events = (left?.timeline.events ?? []) as Json[];
  t.match(events.at(-1), { type: 'm.room.member', state_key: `@bob:${NAME}`, content: { membership: 'leave' } }, 'and ends with his removal');
  const again = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${next.body.next_batch as string}&timeout=0`, { token: b.token });
  await mx(s, 'PUT', `${base}/send/m.room.message/w2`, { token: a.token, body: { msgtype: 'm.text', body: 'after bob left' } });
  const later = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${again.body.next_batch as string}&timeout=0`, { token: b.token });
  t.notOk(later.body.rooms?.leave?.[roomId], 'what the room says after he left does not reach him');
});

t.test('an invitation is sent once, not again with every later message in the room', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const a = await matrixLogin(s, 'alice', alice.password);
  const b = await matrixLogin(s, 'bob', bob.password);
  const since0 = (await mx(s, 'GET', '/_matrix/client/v3/sync', { token: b.token })).body.next_batch as string;
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', invite: [`@bob:${NAME}`] } });
  const roomId = made.body.room_id as string;
  const first = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since0}&timeout=0`, { token: b.token });
  t.ok(first.body.rooms.invite[roomId], 'the invitation arrives');
  await mx(s, 'PUT', `/_matrix/client/v3/rooms/${roomId}/send/m.room.message/x1`, { token: a.token, body: { msgtype: 'm.text', body: 'chatter' } });
  const second = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${first.body.next_batch as string}&timeout=0`, { token: b.token });
  t.notOk(second.body.rooms?.invite?.[roomId], 'the same invitation is not sent again');
});

t.test('a poll thousands of messages behind still gets its rooms\' news and its invitation', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, framesPerSecond: 0, userFramesPerSecond: 0 });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const hall = await s.room('hall', ['alice', 'bob']);
  const filler = await s.room('filler', ['alice']);
  const b = await matrixLogin(s, 'bob', bob.password);
  const since = (await mx(s, 'GET', '/_matrix/client/v3/sync', { token: b.token })).body.next_batch as string;
  const c = await s.connect(alice.token);
  await c.request({ type: 'send', room: hall, body: 'before the flood', clientMsgId: 'h1' });
  // Thousands of messages in a room bob is not in, sent 200 at a time.
  for (let i = 0; i < 4200; i += 200) {
    await Promise.all(Array.from({ length: 200 }, (_, k) => c.request({ type: 'send', room: filler, body: `f${i + k}`, clientMsgId: `f${i + k}` })));
  }
  const a = await matrixLogin(s, 'alice', alice.password);
  const made = await mx(s, 'POST', '/_matrix/client/v3/createRoom', { token: a.token, body: { name: 'board', invite: [`@bob:${NAME}`] } });
  const next = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=0`, { token: b.token });
  t.ok(next.body.rooms.invite[made.body.room_id as string], 'the invitation arrives');
  const joined = next.body.rooms.join[`!r${hall}:${NAME}`];
  t.ok(((joined?.timeline.events ?? []) as Json[]).some((e) => e.content?.body === 'before the flood'), 'and the message in his room before the flood');
  t.notOk(next.body.rooms.join[`!r${filler}:${NAME}`], 'nothing of the room he is not in');
});
