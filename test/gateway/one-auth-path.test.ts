import t from 'tap';
import { hashToken } from '../../src/auth/tokens.js';
import { sleep, startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

interface TokenDbRow { expires_at: number; last_used_at: number | null }
const tokenRow = (s: TestServer, token: string): TokenDbRow =>
  s.admin((db) => db.prepare('SELECT expires_at, last_used_at FROM tokens WHERE hash = ?').get(Buffer.from(hashToken(token), 'hex')) as TokenDbRow);

/** Makes the token look last used two hours ago and about to expire. */
const age = (s: TestServer, token: string): void =>
  void s.admin((db) => db.prepare('UPDATE tokens SET created_at = ?, last_used_at = NULL, expires_at = ? WHERE hash = ?')
    .run(Date.now() - 2 * HOUR, Date.now() + 60_000, Buffer.from(hashToken(token), 'hex')));

/** Waits (bounded) for the touch the writer thread makes. */
async function slid(s: TestServer, token: string): Promise<TokenDbRow> {
  for (const until = Date.now() + 10_000; tokenRow(s, token).last_used_at === null && Date.now() < until;) await sleep(20);
  return tokenRow(s, token);
}

t.test('every door slides a token the same way: the WebSocket upgrade, the API, and the routes the web client added', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  const room = await s.room('kitchen', ['alice']);
  const auth = { Authorization: `Bearer ${alice.token}` };
  const doors: Array<[string, () => Promise<void>]> = [
    ['WebSocket upgrade', async () => { const c = await TestClient.connect(s.ws, alice.token); await c.close(); }],
    ['GET /api/v1/rooms', async () => { t.equal((await fetch(`${s.http}/api/v1/rooms`, { headers: auth })).status, 200); }],
    ['GET /api/v1/rooms/:room/members', async () => { t.equal((await fetch(`${s.http}/api/v1/rooms/${room}/members`, { headers: auth })).status, 200); }],
    ['POST /api/v1/files/links', async () => {
      t.equal((await fetch(`${s.http}/api/v1/files/links`, { method: 'POST', headers: auth, body: JSON.stringify({ files: [{ fileId: 'nope' }] }) })).status, 200);
    }],
  ];
  for (const [door, use] of doors) {
    age(s, alice.token);
    await use();
    const after = await slid(s, alice.token);
    t.ok(after.last_used_at !== null, `${door}: the use was recorded`);
    t.ok(after.expires_at > Date.now() + 29 * DAY, `${door}: the expiry slid to 30 days from now`);
  }
});

t.test('a disabled user is refused at every door', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.close());
  const alice = await s.user('alice');
  // Disabled without revoking the token: the user's state alone must refuse it.
  s.admin((db) => db.prepare('UPDATE users SET disabled = 1 WHERE name = ?').run('alice'));
  const auth = { Authorization: `Bearer ${alice.token}` };
  t.equal((await fetch(`${s.http}/api/v1/rooms`, { headers: auth })).status, 401);
  t.equal((await fetch(`${s.http}/api/v1/rooms/1/members`, { headers: auth })).status, 401);
  await t.rejects(TestClient.connect(s.ws, alice.token), /401/);
});
