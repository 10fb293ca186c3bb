import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx, type Json } from './helpers.js';

const NAME = 'roost.test';

t.test('an incremental /sync with full_state=true: the timeline stays limited by since, and every room has its state', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('porch', ['alice', 'bob']);
  const quiet = await s.room('attic', ['alice', 'bob']);
  const key = `!r${room}:${NAME}`;
  const c = await s.connect(alice.token);
  const sent = await c.request({ type: 'send', room, body: 'old news', clientMsgId: 'm1' });
  await c.request({ type: 'send', room: quiet, body: 'quiet', clientMsgId: 'q1' });
  const me = await matrixLogin(s, 'bob', bob.password);
  const init = await mx(s, 'GET', '/_matrix/client/v3/sync', { token: me.token });
  t.ok((init.body.rooms.join[key].timeline.events as Json[]).some((e) => e.content?.body === 'old news'));
  // Only a reaction after the token.
  const seq = (sent as Json).seq as number;
  const re = await mx(s, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(key)}/send/m.reaction/r1`, {
    token: (await matrixLogin(s, 'alice', alice.password)).token,
    body: { 'm.relates_to': { rel_type: 'm.annotation', event_id: `$r${room}-${seq}`, key: '👍' } },
  });
  t.equal(re.status, 200, JSON.stringify(re.body));
  const next = await mx(s, 'GET', `/_matrix/client/v3/sync?since=${init.body.next_batch as string}&full_state=true&timeout=0`, { token: me.token });
  const events = next.body.rooms.join[key].timeline.events as Json[];
  t.same(events.map((e) => e.type), ['m.reaction'], 'only the reaction, not the room\'s last page again');
  const still = next.body.rooms.join[`!r${quiet}:${NAME}`];
  t.ok(still, 'full_state gives the quiet room too');
  t.same(still?.timeline.events, [], 'with nothing in its timeline');
  t.ok((still?.state.events as Json[] | undefined)?.some((e) => e.type === 'm.room.name' && e.content?.name === 'attic'), 'and its state');
  t.ok((next.body.rooms.join[key].state.events as Json[]).some((e) => e.type === 'm.room.member' && e.state_key === `@bob:${NAME}`), 'the busy room has its state as well');
});
