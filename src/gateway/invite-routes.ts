import type { HttpRequest, HttpResponse } from '@based/uws';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { AdminService } from '../chat/admin-service.js';
import type { Outcome } from '../chat/admin-ports.js';
import type { Logger } from '../log.js';
import { answer, fields, isString } from './admin-answer.js';
import { Exchange, remoteIp } from './http.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface InviteRouteDeps {
  admin: AdminService;
  /** The login throttle: guessing link tokens costs the same back-off as guessing passwords. */
  throttle: LoginThrottle;
  metrics: Metrics;
  log: Logger;
}

const BODY_LIMIT = 4096;
/** The throttle's user key for link attempts: one bucket per address, like a user name tried from it. */
const LINK_KEY = '\u0000invite-link';

/**
 * The public side of invitation links: whether a link still works (the join
 * page asks before showing its form) and redeeming it. No token needed; a
 * refused link counts as a failed login from that address.
 */
export function mountInviteRoutes(app: HttpRoutes, deps: InviteRouteDeps): void {
  const { admin, throttle, metrics } = deps;

  const linkRoute = (path: string, handle: (body: Record<string, unknown>, ip: string) => Promise<Outcome<unknown>> | undefined, usage: string): void => {
    app.post(path, (res: HttpResponse, req: HttpRequest) => {
      const ex = new Exchange(res);
      const ip = remoteIp(res);
      const length = req.getHeader('content-length');
      return (async () => {
        const body = fields(await ex.readJson(BODY_LIMIT, length));
        if (ex.done || ex.aborted) return;
        const wait = throttle.retryAfter(ip, LINK_KEY);
        if (wait > 0) {
          metrics.inc('roost_login_throttled_total', 'Login attempts refused while throttled.');
          return ex.error('rate_limited', 'too many failed attempts; try again later', [['Retry-After', String(Math.ceil(wait / 1000))]]);
        }
        const pending = body === undefined || !isString(body.token, 64) ? undefined : handle(body, ip);
        if (pending === undefined) return ex.error('bad_request', usage);
        const outcome = await pending;
        if (!outcome.ok && outcome.reason === 'invite_link_spent') {
          throttle.failed(ip, LINK_KEY);
          metrics.inc('roost_auth_failures_total', 'Refused logins and WebSocket upgrades.', { where: 'invite' });
        }
        answer(ex, outcome, 200, (v) => v);
      })();
    });
  };

  linkRoute('/api/v1/invite-links/check', (b) => admin.checkLink(b.token as string), 'body must be {"token": string}');

  linkRoute('/api/v1/invite-links/redeem', (b, ip) => {
    const { token, name, password, displayName } = b;
    if (!isString(token, 64) || !isString(name, 64) || !isString(password, 1024) || (displayName !== undefined && !isString(displayName, 256))) return undefined;
    return admin.redeem({ token, name, password, ...(displayName === undefined ? {} : { displayName }) }, ip).then((outcome) => {
      if (outcome.ok) deps.log.info({ ip, user: outcome.value.user.name, rooms: outcome.value.rooms }, 'account made through an invitation link');
      return outcome.ok ? { ok: true, value: { token: outcome.value.token, user: { id: outcome.value.user.id, name: outcome.value.user.name, role: outcome.value.user.role }, rooms: outcome.value.rooms } } : outcome;
    });
  }, 'body must be {"token": string, "name": string, "password": string, "displayName"?: string}');
}
