/** Raw Matrix HTTP calls against a test server, with the bodies typed loosely for assertions. */
import type { TestServer } from '../helpers/server.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Reply { status: number; body: Json; headers: Headers }

export async function mx(s: TestServer, method: string, path: string, opts: { token?: string; body?: unknown; raw?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${s.http}${path}`, {
    method, headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: Json = {};
  try {
    body = text === '' ? {} : (JSON.parse(text) as Json);
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
}

/** Logs a user of the test server in over Matrix; answers its access token, user id and device id. */
export async function matrixLogin(s: TestServer, name: string, password: string, deviceId?: string): Promise<{ token: string; userId: string; deviceId: string }> {
  const r = await mx(s, 'POST', '/_matrix/client/v3/login', {
    body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: name }, password, ...(deviceId === undefined ? {} : { device_id: deviceId }) },
  });
  if (r.status !== 200) throw new Error(`Matrix login of ${name} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { token: r.body.access_token as string, userId: r.body.user_id as string, deviceId: r.body.device_id as string };
}

/** Waits (bounded: 20 s) until the server holds exactly `n` Matrix `/sync` requests. */
export async function heldCount(s: TestServer, n: number): Promise<void> {
  const until = Date.now() + 20_000;
  while (s.server.matrixHeld() !== n) {
    if (Date.now() > until) throw new Error(`expected ${n} held /sync, have ${s.server.matrixHeld()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
