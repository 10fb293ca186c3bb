/**
 * One rule, both doors: what the native protocol refuses or answers, the
 * Matrix door refuses or answers the same way for the same user and room.
 */
import t from 'tap';
import { disableUser } from '../../src/store/admin/admin.js';
import { startTestServer } from '../helpers/server.js';
import { matrixLogin, mx } from './helpers.js';

const NAME = 'roost.test';

t.test("a disabled account has no profile at either door", async (t) => {
  const s = await startTestServer({ matrixServerName: NAME });
  t.teardown(() => s.close());
  const [alice, bob] = [await s.user('alice'), await s.user('bob')];
  const b = await matrixLogin(s, 'bob', bob.password);
  t.equal((await mx(s, 'PUT', `/_matrix/client/v3/profile/@bob:${NAME}/displayname`, { token: b.token, body: { displayname: 'Bobby Tables' } })).status, 200);
  s.admin((db) => disableUser(db, 'bob'));
  await s.followed();
  const ws = await s.connect(alice.token);
  const native = await ws.request({ type: 'profile', user: bob.id });
  t.same([native.type, native.code], ['error', 'not_found'], `native: ${JSON.stringify(native)}`);
  const a = await matrixLogin(s, 'alice', alice.password);
  const whole = await mx(s, 'GET', `/_matrix/client/v3/profile/@bob:${NAME}`, { token: a.token });
  t.equal(whole.status, 404, 'Matrix: 404, as natively');
  const dn = await mx(s, 'GET', `/_matrix/client/v3/profile/@bob:${NAME}/displayname`, { token: a.token });
  t.equal(dn.status, 404, 'the display name alone too');
  t.equal(whole.body.errcode, 'M_NOT_FOUND');
  const own = await mx(s, 'GET', `/_matrix/client/v3/profile/@alice:${NAME}`, { token: a.token });
  t.equal(own.status, 200, 'an enabled user\'s profile is served');
});
