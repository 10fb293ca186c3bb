import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { guardedRoutes } from '../../src/gateway/http-guard.js';
import { Exchange } from '../../src/gateway/http.js';
import type { us_listen_socket } from '@based/uws';
import { loadUws } from '../../src/gateway/uws.js';

const uws = loadUws();

/** A uWS app with guarded routes on a loopback port, and the log lines it wrote. */
async function app(t: { teardown(fn: () => void): void }, mount: (routes: ReturnType<typeof guardedRoutes>) => void): Promise<{ url: string; logged: Array<Record<string, unknown>> }> {
  const logged: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { logged.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  const a = uws.App();
  mount(guardedRoutes(a, pino({ level: 'info' }, sink)));
  const socket = await new Promise<us_listen_socket>((resolve, reject) => a.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen failed')))));
  t.teardown(() => uws.us_listen_socket_close(socket));
  return { url: `http://127.0.0.1:${uws.us_socket_local_port(socket)}`, logged };
}

t.test('a route that throws costs its request a 500 with a request id, logged under the same id; the server goes on', async (t) => {
  const { url, logged } = await app(t, (routes) => {
    routes.get('/broken/:token', () => { throw new Error('a bug in a route'); });
    routes.get('/fine', (res) => new Exchange(res).json(200, { ok: true }));
  });
  const res = await fetch(`${url}/broken/path-secret?token=secret`);
  t.equal(res.status, 500);
  t.equal(res.headers.get('x-content-type-options'), 'nosniff', 'with the security headers every answer carries');
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
  t.equal(body.error.code, 'internal');
  t.match(body.error.message, body.error.requestId);
  const line = logged.find((l) => l.requestId === body.error.requestId);
  t.match(line, { level: 50, msg: 'HTTP handler failed', method: 'get', route: '/broken/:token', err: { message: 'a bug in a route' } });
  t.notOk(JSON.stringify(logged).includes('secret'), 'neither the path nor the query (tokens ride in both) is logged, only the route');
  t.equal((await fetch(`${url}/fine`)).status, 200, 'the server still answers');
});

t.test('a rejected promise from an async route is answered and logged the same way', async (t) => {
  const { url, logged } = await app(t, (routes) => {
    routes.get('/async', (res) => {
      const ex = new Exchange(res);
      return (async () => {
        await new Promise((r) => setTimeout(r, 5));
        if (!ex.aborted) throw new Error('failed after an await');
      })() as unknown as void;
    });
  });
  const res = await fetch(`${url}/async`);
  t.equal(res.status, 500);
  const { error } = (await res.json()) as { error: { requestId: string } };
  t.match(logged, [{ requestId: error.requestId, err: { message: 'failed after an await' } }]);
});

t.test('a route that throws after answering is logged, and the client keeps its answer', async (t) => {
  const { url, logged } = await app(t, (routes) => {
    routes.get('/after', (res) => {
      new Exchange(res).json(200, { ok: true });
      throw new Error('a bug after the answer');
    });
  });
  const res = await fetch(`${url}/after`);
  t.equal(res.status, 200);
  t.same(await res.json(), { ok: true });
  t.match(logged, [{ msg: 'HTTP handler failed', err: { message: 'a bug after the answer' } }]);
});
