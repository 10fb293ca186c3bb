import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Authenticator, Session } from '../auth/sessions.js';
import type { MemberList } from '../chat/member-list.js';
import { bearerToken, Exchange, remoteIp } from './http.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface MemberRouteDeps {
  auth: Authenticator;
  members: MemberList;
  metrics: Metrics;
}

/**
 * The token's session (auth/sessions.ts, the one path every route and the
 * upgrade take), or undefined after answering 401.
 * `tokenOf`: where the route reads it from (file routes take only the header).
 */
export function authenticated(ex: Exchange, req: HttpRequest, deps: { auth: Authenticator; metrics: Metrics }, tokenOf = bearerToken): Session | undefined {
  const info = deps.auth.authenticate(tokenOf(req), () => remoteIp(ex.res));
  if (info === undefined) {
    deps.metrics.inc('roost_auth_failures_total', 'Refused logins and WebSocket upgrades.', { where: 'http' });
    ex.error('unauthorized', 'missing, wrong, expired or revoked token');
  }
  return info;
}

/**
 * GET /api/v1/rooms/:room/members → `{"members":[{"id","name","readSeq"}]}`.
 * Messages carry user ids only; a client turns them into names and shows
 * "seen by" from the read markers. Members only: anyone else gets the same
 * `forbidden` as for a room that does not exist, so room ids cannot be probed.
 */
export function mountMemberRoutes(app: HttpRoutes, deps: MemberRouteDeps): void {
  app.get('/api/v1/rooms/:room/members', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const room = req.getParameter(0) ?? '';
    const info = authenticated(ex, req, deps);
    if (info === undefined) return;
    const list = deps.members.of(info.userId, room);
    if (!list.ok) return ex.error(list.code, list.message);
    ex.json(200, { members: list.members }, [['Cache-Control', 'no-store']]);
  });
}
