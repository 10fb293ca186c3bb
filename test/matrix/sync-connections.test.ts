/**
 * A held /sync is a connection too: the user's sockets and held polls
 * together stay within maxSocketsPerUser, whichever door opens the next one.
 */
import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { heldCount, matrixLogin, mx } from './helpers.js';

const NAME = 'roost.test';

t.test('a /sync past the user\'s connection limit is M_LIMIT_EXCEEDED; a socket past it is refused; others are unaffected', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME, maxSocketsPerUser: 3 });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('porch', ['alice', 'bob']);
  const a = await matrixLogin(s, 'alice', alice.password);
  const since = (await mx(s, 'GET', '/_matrix/client/v3/sync', { token: a.token })).body.next_batch as string;
  const poll = (): ReturnType<typeof mx> => mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=20000`, { token: a.token });
  await s.connect(alice.token);
  const held = [poll(), poll()];
  await heldCount(s, 2);
  const over = await poll();
  t.match(over, { status: 429, body: { errcode: 'M_LIMIT_EXCEEDED' } }, 'one socket and two held polls fill a limit of 3');
  t.ok(over.body.retry_after_ms > 0, 'it says when to try again');
  t.equal(s.server.matrixHeld(), 2, 'the refused poll is not held');
  await t.rejects(s.connect(alice.token), /upgrade refused: 429/, 'a socket over the limit is refused too');
  t.ok(await s.connect(bob.token), 'another user connects');
  const b = await matrixLogin(s, 'bob', bob.password);
  const bobSince = (await mx(s, 'GET', '/_matrix/client/v3/sync', { token: b.token })).body.next_batch as string;
  const bobs = mx(s, 'GET', `/_matrix/client/v3/sync?since=${bobSince}&timeout=20000`, { token: b.token });
  await heldCount(s, 3);
  // The held polls end (a message wakes them); then alice has room again.
  const c = await s.connect(bob.token);
  await c.request({ type: 'send', room, body: 'wake up', clientMsgId: 'w1' });
  for (const r of [...held, bobs]) t.equal((await r).status, 200);
  t.ok(await s.connect(alice.token), 'with the polls answered, alice connects again');
});
