import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { heldCount, matrixLogin, mx } from './helpers.js';

const NAME = 'roost.test';

t.test('a /sync held by a device that is then deleted is answered M_UNKNOWN_TOKEN at once, never with what comes after', async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const room = await s.room('porch', ['alice', 'bob']);
  const stolen = await matrixLogin(s, 'bob', bob.password, 'STOLEN');
  const mine = await matrixLogin(s, 'bob', bob.password, 'MINE');
  const since = (await mx(s, 'GET', '/_matrix/client/v3/sync', { token: stolen.token })).body.next_batch as string;
  const held = mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=20000`, { token: stolen.token });
  await heldCount(s, 1);
  const del = await mx(s, 'DELETE', '/_matrix/client/v3/devices/STOLEN', { token: mine.token });
  t.equal(del.status, 200);
  t.equal((await mx(s, 'GET', '/_matrix/client/v3/account/whoami', { token: stolen.token })).status, 401, 'the token is revoked');
  const r = await held;
  t.match(r, { status: 401, body: { errcode: 'M_UNKNOWN_TOKEN' } }, 'answered when its device went');
  t.equal(s.server.matrixHeld(), 0, 'no longer held');
  const c = await s.connect(alice.token);
  await c.request({ type: 'send', room, body: 'secret after revocation', clientMsgId: 'x1' });
  t.equal((await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=0`, { token: stolen.token })).status, 401, 'and a new poll with it is refused');
  const now = (await mx(s, 'GET', `/_matrix/client/v3/sync?since=${since}&timeout=0`, { token: mine.token })).body.next_batch as string;
  const logout = mx(s, 'GET', `/_matrix/client/v3/sync?since=${now}&timeout=20000`, { token: mine.token });
  await heldCount(s, 1);
  t.equal((await mx(s, 'POST', '/_matrix/client/v3/logout', { token: mine.token })).status, 200);
  t.match(await logout, { status: 401, body: { errcode: 'M_UNKNOWN_TOKEN' } }, 'a poll held by a token that logs out ends too');
});
