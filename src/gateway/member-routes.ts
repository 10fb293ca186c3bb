import type { HttpRequest, HttpResponse } from '@based/uws';
import { hashToken, looksLikeToken } from '../auth/tokens.js';
import type { MemberList } from '../chat/member-list.js';
import type { Session, SessionReader } from '../chat/sessions.js';
import { bearerToken, Exchange } from './http.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface MemberRouteDeps {
  reader: SessionReader;
  members: MemberList;
  metrics: Metrics;
}

/**
 * The token's user, or undefined after answering 401. Shared by the routes the web client adds.
 * `tokenOf`: where the route reads it from (file routes take only the header).
 */
export function authenticated(ex: Exchange, req: HttpRequest, deps: { reader: SessionReader; metrics: Metrics }, tokenOf = bearerToken): Session | undefined {
  const token = tokenOf(req);
  const info = token !== undefined && looksLikeToken(token) ? deps.reader.tokenInfo(hashToken(token), Date.now()) : undefined;
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
