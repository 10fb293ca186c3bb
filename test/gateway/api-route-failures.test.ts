import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import type { us_listen_socket } from '@based/uws';
import { Accounts } from '../../src/auth/accounts.js';
import { LoginThrottle } from '../../src/auth/login-throttle.js';
import { newToken } from '../../src/auth/tokens.js';
import { configWith } from '../../src/config/load.js';
import { mountApi, type ApiDeps } from '../../src/gateway/api-routes.js';
import { UserFrameBuckets } from '../../src/gateway/user-rate.js';
import { guardedRoutes } from '../../src/gateway/http-guard.js';
import { Metrics } from '../../src/gateway/metrics.js';
import { loadUws } from '../../src/gateway/uws.js';

const uws = loadUws();

const unhandled: unknown[] = [];
const onUnhandled = (err: unknown): void => void unhandled.push(err);
process.on('unhandledRejection', onUnhandled);
t.teardown(() => void process.off('unhandledRejection', onUnhandled));

/**
 * The real API routes behind the real guard, over stand-ins for the rest of
 * the server: a valid token for user 1, a writer that commits, and sockets
 * and chat rules that fail in the routes' continuations (after an await).
 */
const logged: Array<Record<string, unknown>> = [];
const sink = new Writable({ write(chunk: Buffer, _enc, done) { logged.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
const log = pino({ level: 'info' }, sink);
const metrics = new Metrics();
t.teardown(() => metrics.close());
const deps = {
  config: configWith({}),
  log,
  metrics,
  limits: { maxBodyChars: 16_000, maxHistoryLimit: 200, maxSyncLimit: 500, maxSyncRooms: 1000, maxSearchLimit: 100 },
  auth: { authenticate: () => ({ userId: 1, name: 'alice', role: 'member', expiresAt: Date.now() + 60_000, lastUsedAt: Date.now(), tokenHash: 'ab'.repeat(32) }) },
  accounts: new Accounts({
    store: { loginRow: () => undefined, passwordHash: () => undefined, liveSessions: () => [] },
    writer: { run: () => Promise.resolve({ ok: true }) } as never,
    throttle: new LoginThrottle({ failuresPerUser: 5, failuresPerIp: 30, backoffMs: 1000 }),
    tokenTtlMs: 60_000,
    log,
    ended: () => { throw new Error('a socket failed while being closed'); },
  }),
  writerLoad: () => ({ depth: 0, bytes: 0 }),
  userRate: new UserFrameBuckets(100, 500),
  chat: { send: () => { throw new Error('a bug in the send path'); } },
  isHealthy: () => true,
} as unknown as ApiDeps;
const app = uws.App();
mountApi(guardedRoutes(app, log), deps);
const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen failed')))));
t.teardown(() => uws.us_listen_socket_close(listenSocket));
const base = `http://127.0.0.1:${uws.us_socket_local_port(listenSocket)}`;
const auth = { Authorization: `Bearer ${newToken()}` };

/** Bounded: a continuation nobody answers would otherwise hang the test. */
const post = (path: string, body?: string): Promise<Response> =>
  fetch(`${base}${path}`, { method: 'POST', headers: auth, body, signal: AbortSignal.timeout(10_000) });

async function expectInternal(t: Pick<typeof import('tap').default, 'equal' | 'match'>, res: Response, message: string): Promise<void> {
  t.equal(res.status, 500);
  const { error } = (await res.json()) as { error: { code: string; requestId: string } };
  t.equal(error.code, 'internal');
  t.match(logged.find((l) => l.requestId === error.requestId), { msg: 'HTTP handler failed', err: { message } }, 'logged under the same request id');
}

t.test('a logout whose continuation throws is answered 500 with a request id; no unhandled rejection', async (t) => {
  await expectInternal(t, await post('/api/v1/logout'), 'a socket failed while being closed');
  t.same(unhandled, []);
});

t.test('a posted message whose continuation throws after the body was read is answered 500; no unhandled rejection', async (t) => {
  await expectInternal(t, await post('/api/v1/rooms/1/messages', JSON.stringify({ body: 'hi', clientMsgId: 'c1' })), 'a bug in the send path');
  t.same(unhandled, []);
});

t.test('the process is alive and the routes still answer', async (t) => {
  const res = await fetch(`${base}/healthz`);
  t.equal(res.status, 200);
  t.same(unhandled, []);
});
