import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Authenticator, Session } from '../auth/sessions.js';
import type { Outcome } from '../chat/admin-ports.js';
import type { Integrations } from '../chat/integrations.js';
import type { Config } from '../config/schema.js';
import { Exchange } from './http.js';
import { refuse } from './http-refusal.js';
import type { HttpRoutes } from './http-guard.js';
import { checkTarget } from './lan-target.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';

export interface IntegrationRouteDeps {
  config: Pick<Config, 'maxHttpBodyBytes' | 'webhookAllowRemote'>;
  auth: Authenticator;
  integrations: Integrations;
  metrics: Metrics;
  tls: boolean;
}

const caller = (s: Session): { userId: number; name: string; role: Session['role'] } => ({ userId: s.userId, name: s.name, role: s.role });

function answer<T>(ex: Exchange, status: number, o: Outcome<T>): void {
  if (o.ok) ex.json(status, o.value, [['Cache-Control', 'no-store']]);
  else refuse(ex, o);
}

function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
}

const idParam = (text: string | undefined): number | null => (text !== undefined && /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : null);

/**
 * A room's integrations over HTTP, for its owners and moderators (and admins):
 *   GET    /api/v1/rooms/:room/integrations      → {hooks, webhooks}
 *   POST   /api/v1/rooms/:room/hooks {name}      → 201 {hook, url} (the URL is shown once)
 *   DELETE /api/v1/rooms/:room/hooks/:id         → {changed}
 *   POST   /api/v1/rooms/:room/webhooks {url, trigger, name?} → 201 {webhook, secret}
 *   DELETE /api/v1/rooms/:room/webhooks/:id      → {changed}
 *   POST   /api/v1/rooms/:room/assistant {member} → {changed} (the assistant's bot in or out)
 */
export function mountIntegrationRoutes(app: HttpRoutes, deps: IntegrationRouteDeps): void {
  const { integrations, config } = deps;
  const limit = Math.min(config.maxHttpBodyBytes, 8192);

  app.get('/api/v1/rooms/:room/integrations', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const room = req.getParameter(0) ?? '';
    const s = authenticated(ex, req, deps);
    if (s === undefined) return;
    return integrations.list(caller(s), room).then((o) => answer(ex, 200, o));
  });

  /**
   * A POST on a room: the caller is known before its JSON body is read. `fromRequest` reads what
   * the handler needs from the request first (uWS forgets the request once the callback returns).
   */
  const postOnRoom = <H>(path: string, fromRequest: (req: HttpRequest) => H,
    handle: (ex: Exchange, room: string, who: ReturnType<typeof caller>, body: unknown, h: H) => Promise<void>): void => {
    app.post(path, (res: HttpResponse, req: HttpRequest) => {
      const ex = new Exchange(res);
      const room = req.getParameter(0) ?? '';
      const h = fromRequest(req);
      const length = req.getHeader('content-length');
      const s = authenticated(ex, req, deps);
      if (s === undefined) return;
      return (async () => {
        const body = await ex.readJson(limit, length);
        if (body === undefined) return;
        await handle(ex, room, caller(s), body, h);
      })();
    });
  };

  // The URL names this server as the request reached it, as invitation links do.
  postOnRoom('/api/v1/rooms/:room/hooks', (req) => `${deps.tls ? 'https' : 'http'}://${req.getHeader('host')}`, async (ex, room, who, body, base) => {
    const name = field(body, 'name') ?? 'hook';
    if (typeof name !== 'string') return ex.error('bad_request', 'body must be {"name"?: string}');
    answer(ex, 201, await integrations.createHook(who, room, name, (token) => `${base}/api/v1/hooks/${token}`));
  });

  postOnRoom('/api/v1/rooms/:room/assistant', () => undefined, async (ex, room, who, body) => {
    const member = field(body, 'member');
    if (typeof member !== 'boolean') return ex.error('bad_request', 'body must be {"member": boolean}');
    answer(ex, 200, await integrations.setAssistant(who, room, member));
  });

  app.del('/api/v1/rooms/:room/hooks/:id', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const room = req.getParameter(0) ?? '';
    const id = idParam(req.getParameter(1));
    const s = authenticated(ex, req, deps);
    if (s === undefined) return;
    if (id === null) return ex.error('not_found', 'no such hook');
    return integrations.revokeHook(caller(s), room, id).then((o) => answer(ex, 200, o));
  });

  postOnRoom('/api/v1/rooms/:room/webhooks', () => undefined, async (ex, room, who, body) => {
    const url = field(body, 'url');
    const trigger = field(body, 'trigger') ?? 'any';
    const name = field(body, 'name') ?? 'webhook';
    if (typeof url !== 'string' || typeof trigger !== 'string' || typeof name !== 'string') {
      return ex.error('bad_request', 'body must be {"url": string, "trigger"?: "any" | "mention" | "!word", "name"?: string}');
    }
    // Who may comes first: a stranger learns nothing of which hosts resolve.
    const refused = integrations.refusalFor(who, room);
    if (refused !== undefined) return refuse(ex, refused);
    try {
      await checkTarget(url, config.webhookAllowRemote);
    } catch (err) {
      return ex.error('bad_request', err instanceof Error ? err.message : String(err));
    }
    answer(ex, 201, await integrations.addWebhook(who, room, { url, trigger, name }));
  });

  app.del('/api/v1/rooms/:room/webhooks/:id', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const room = req.getParameter(0) ?? '';
    const id = idParam(req.getParameter(1));
    const s = authenticated(ex, req, deps);
    if (s === undefined) return;
    if (id === null) return ex.error('not_found', 'no such webhook');
    return integrations.removeWebhook(caller(s), room, id).then((o) => answer(ex, 200, o));
  });
}
