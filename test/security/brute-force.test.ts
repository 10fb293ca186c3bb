import { request } from 'node:http';
import t from 'tap';
import { startTestServer } from '../helpers/server.js';

/** POST /api/v1/login from a chosen loopback source address (fetch cannot pick one). */
function login(port: number, from: string, username: string, password: string): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/login', method: 'POST', localAddress: from, timeout: 20_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ username, password }));
  });
}

t.test('brute force from one address is throttled; the right password from another address still works', async (t) => {
  const s = await startTestServer({ loginFailuresPerUser: 5, loginFailuresPerIp: 30, loginBackoffSeconds: 30 });
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await login(s.port, '127.0.0.1', 'alice', `guess-${i}`)).status);
  t.same(statuses.slice(0, 5), [401, 401, 401, 401, 401], 'the first five wrong guesses are plain refusals');
  t.ok(statuses.slice(5).every((x) => x === 429), `then 429 (got ${statuses.join(',')})`);
  const blocked = await login(s.port, '127.0.0.1', 'alice', alice.password);
  t.equal(blocked.status, 429, 'while throttled, even the right password from that address gets 429');
  t.ok(Number(blocked.retryAfter) > 0, `with Retry-After (${blocked.retryAfter} s)`);
  t.equal((await login(s.port, '127.0.0.2', 'alice', alice.password)).status, 200, 'alice logs in from another address');

  // Spraying many user names from one address trips the per-address limit.
  const sprayed: number[] = [];
  for (let i = 0; i < 40; i++) sprayed.push((await login(s.port, '127.0.0.3', `user${i}`, 'password123')).status);
  t.equal(sprayed.filter((x) => x === 401).length, 30, 'thirty refusals per address…');
  t.ok(sprayed.slice(30).every((x) => x === 429), '…then the whole address waits');
  t.equal((await login(s.port, '127.0.0.4', 'alice', alice.password)).status, 200, 'other addresses are unaffected');
});
