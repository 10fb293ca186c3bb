import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Accounts } from '../auth/accounts.js';
import { MAX_LENGTH } from '../auth/password-policy.js';
import type { Authenticator } from '../auth/sessions.js';
import { Exchange, headerToken, remoteIp } from './http.js';
import { refuse } from './http-refusal.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface AccountRouteDeps {
  auth: Authenticator;
  accounts: Accounts;
  metrics: Metrics;
  /** Largest JSON body (`maxHttpBodyBytes`). */
  maxBodyBytes: number;
}

/** A password change body: `{"current","password","revokeOthers"?}`, or why it is malformed. */
function parsePasswordChange(body: unknown): { current: string; password: string; revokeOthers: boolean } | string {
  const o = (typeof body === 'object' && body !== null ? body : {}) as { current?: unknown; password?: unknown; revokeOthers?: unknown };
  if (typeof o.current !== 'string' || typeof o.password !== 'string' || o.current.length > MAX_LENGTH || o.password.length > MAX_LENGTH) {
    return `body must be {"current": string, "password": string, "revokeOthers"?: boolean}, passwords of at most ${MAX_LENGTH} characters`;
  }
  if (o.revokeOthers !== undefined && typeof o.revokeOthers !== 'boolean') return '"revokeOthers" must be true or false';
  return { current: o.current, password: o.password, revokeOthers: o.revokeOthers === true };
}

const noStore: Array<[string, string]> = [['Cache-Control', 'no-store']];

/**
 * What a person does with their own account over HTTP (the token in the
 * `Authorization` header only):
 * POST /api/v1/account/password, GET /api/v1/account/sessions,
 * DELETE /api/v1/account/sessions/:id, POST /api/v1/account/sessions/revoke-others.
 * Sessions ended here close their sockets with 4001 at once.
 */
export function mountAccountRoutes(app: HttpRoutes, deps: AccountRouteDeps): void {
  const { accounts } = deps;

  app.post('/api/v1/account/password', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const length = req.getHeader('content-length');
    const session = authenticated(ex, req, deps, headerToken);
    if (session === undefined) return;
    const ip = remoteIp(res);
    return (async () => {
      const body = await ex.readJson(Math.min(deps.maxBodyBytes, 8192), length);
      if (body === undefined) return;
      const asked = parsePasswordChange(body);
      if (typeof asked === 'string') return ex.error('bad_request', asked);
      const r = await accounts.changePassword(session, asked.current, asked.password, asked.revokeOthers, ip);
      if (!r.ok) return refuse(ex, r);
      ex.send(204, '', '');
    })();
  });

  app.get('/api/v1/account/sessions', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const session = authenticated(ex, req, deps, headerToken);
    if (session !== undefined) ex.json(200, { sessions: accounts.sessions(session) }, noStore);
  });

  app.post('/api/v1/account/sessions/revoke-others', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const session = authenticated(ex, req, deps, headerToken);
    if (session === undefined) return;
    return accounts.endOthers(session).then((r) => (r.ok ? ex.send(204, '', '') : refuse(ex, r)));
  });

  app.del('/api/v1/account/sessions/:id', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const id = req.getParameter(0) ?? '';
    const session = authenticated(ex, req, deps, headerToken);
    if (session === undefined) return;
    if (!/^[0-9a-f]{12}$/.test(id)) return ex.error('not_found', 'no such session of yours');
    return accounts.endSession(session, id).then((r) => (r.ok ? ex.send(204, '', '') : refuse(ex, r)));
  });
}
