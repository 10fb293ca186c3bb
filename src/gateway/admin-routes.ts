import type { HttpRequest, HttpResponse } from '@based/uws';
import type { AdminService, Caller } from '../chat/admin-service.js';
import type { ServerRoleName } from '../chat/admin-ports.js';
import { answer, fields, isString, NO_STORE } from './admin-answer.js';
import { Exchange } from './http.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface AdminRouteDeps {
  admin: AdminService;
  /** The caller behind the request's bearer token, or undefined after answering 401. */
  authenticate: (ex: Exchange, req: HttpRequest) => Caller | undefined;
  metrics: Metrics;
  /** Open WebSocket connections. */
  connections: () => number;
  /** Writes waiting for or in a commit. */
  writerDepth: () => number;
  isHealthy: () => boolean;
  /** Whether links this server hands out are https. */
  tls: boolean;
}

/** Admin bodies are a few names and numbers. */
const BODY_LIMIT = 8 * 1024;
const startedAt = Date.now();

function counter(metrics: Metrics, name: string): number {
  let sum = 0;
  for (const v of metrics.counters.get(name)?.values.values() ?? []) sum += v;
  return sum;
}

/** A path segment as typed; a malformed escape stays as it came (and then names nothing). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const role = (v: unknown): ServerRoleName | undefined => (v === 'admin' || v === 'member' ? v : undefined);
const names = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length <= 200 && v.every((x) => isString(x, 64)) ? (v as string[]) : undefined;

/** Where links point: the host the admin reached this server by (the one people on the LAN reach it by too). */
function joinBase(req: HttpRequest, tls: boolean): string {
  const host = req.getHeader('host');
  return /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? `${tls ? 'https' : 'http'}://${host}/join/` : '/join/';
}

/**
 * The web client's admin page: users, rooms and invitation links, read and
 * changed. Admins only (403 `forbidden`, reason `admin_only`, otherwise);
 * every change goes through AdminService, which runs the CLI's store
 * functions off the event loop and records the admin in the audit log.
 */
export function mountAdminRoutes(app: HttpRoutes, deps: AdminRouteDeps): void {
  const { admin } = deps;
  const bad = (ex: Exchange, message: string): void => ex.error('bad_request', message);

  /** An admin GET: authenticated, refused for non-admins. */
  const read = (path: string, handler: (ex: Exchange, caller: Caller) => void | Promise<void>): void => {
    app.get(path, (res: HttpResponse, req: HttpRequest) => {
      const ex = new Exchange(res);
      const caller = deps.authenticate(ex, req);
      if (caller === undefined) return;
      const refused = admin.refusalFor(caller);
      if (refused !== undefined) return answer(ex, refused, 200, () => null);
      return handler(ex, caller);
    });
  };

  /** An admin POST: path parameters and headers read now (uWS frees the request after this call), the body after. */
  const change = (path: string, handler: (ex: Exchange, caller: Caller, body: Record<string, unknown>, params: string[], linkBase: string) => Promise<void>): void => {
    app.post(path, (res: HttpResponse, req: HttpRequest) => {
      const ex = new Exchange(res);
      const caller = deps.authenticate(ex, req);
      if (caller === undefined) return;
      const params = [0, 1].map((i) => decoded(req.getParameter(i) ?? ''));
      const linkBase = joinBase(req, deps.tls);
      const length = req.getHeader('content-length');
      return (async () => {
        const refused = admin.refusalFor(caller);
        if (refused !== undefined) return answer(ex, refused, 200, () => null);
        const body = length === '' || length === '0' ? {} : fields(await ex.readJson(BODY_LIMIT, length));
        if (ex.done || ex.aborted) return;
        if (body === undefined) return bad(ex, 'the body must be a JSON object');
        await handler(ex, caller, body, params, linkBase);
      })();
    });
  };

  read('/api/v1/admin/users', (ex, caller) => answer(ex, admin.users(caller), 200, (users) => ({ users })));
  read('/api/v1/admin/rooms', (ex, caller) => answer(ex, admin.rooms(caller), 200, (rooms) => ({ rooms })));
  read('/api/v1/admin/invite-links', async (ex, caller) => answer(ex, await admin.links(caller), 200, (links) => ({ links })));

  read('/api/v1/admin/stats', (ex) => {
    const mem = process.memoryUsage();
    ex.json(200, {
      healthy: deps.isHealthy(),
      node: process.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      connections: deps.connections(),
      writerQueueDepth: deps.writerDepth(),
      messagesCommitted: counter(deps.metrics, 'roost_messages_committed_total'),
      authFailures: counter(deps.metrics, 'roost_auth_failures_total'),
      eventLoopLagP99Ms: Math.round(deps.metrics.loopLagP99Ms() * 100) / 100,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
    }, NO_STORE);
  });

  change('/api/v1/admin/users', async (ex, caller, b) => {
    const r = b.role === undefined ? 'member' : role(b.role);
    if (!isString(b.name, 64) || r === undefined) return bad(ex, 'body must be {"name": string, "role"?: "admin"|"member"}');
    answer(ex, await admin.createUser(caller, b.name, r), 201, (v) => v);
  });
  change('/api/v1/admin/users/:name/password', async (ex, caller, _b, [name = '']) => {
    answer(ex, await admin.resetPassword(caller, name), 200, (v) => v);
  });
  change('/api/v1/admin/users/:name/disable', async (ex, caller, _b, [name = '']) => {
    answer(ex, await admin.disable(caller, name), 200, (user) => ({ user }));
  });
  change('/api/v1/admin/users/:name/enable', async (ex, caller, _b, [name = '']) => {
    answer(ex, await admin.enable(caller, name), 200, (user) => ({ user }));
  });
  change('/api/v1/admin/users/:name/role', async (ex, caller, b, [name = '']) => {
    const r = role(b.role);
    if (r === undefined) return bad(ex, 'body must be {"role": "admin"|"member"}');
    answer(ex, await admin.setRole(caller, name, r), 200, (user) => ({ user }));
  });

  change('/api/v1/admin/rooms', async (ex, caller, b) => {
    const members = b.members === undefined ? [] : names(b.members);
    if (!isString(b.name, 256) || members === undefined) return bad(ex, 'body must be {"name": string, "members"?: [userName…]}');
    answer(ex, await admin.createRoom(caller, b.name, members), 201, (room) => ({ room }));
  });
  change('/api/v1/admin/rooms/:room/members', async (ex, caller, b, [room = '']) => {
    if (!isString(b.user, 64)) return bad(ex, 'body must be {"user": userName}');
    answer(ex, await admin.addMember(caller, room, b.user), 200, (v) => v);
  });
  change('/api/v1/admin/rooms/:room/members/:user/remove', async (ex, caller, _b, [room = '', user = '']) => {
    answer(ex, await admin.removeMember(caller, room, user), 200, (v) => v);
  });

  change('/api/v1/admin/invite-links', async (ex, caller, b, _p, linkBase) => {
    const rooms = b.rooms === undefined ? [] : names(b.rooms);
    const note = b.note ?? '';
    if (typeof b.expiresInHours !== 'number' || typeof b.maxUses !== 'number' || rooms === undefined || !isString(note, 1000)) {
      return bad(ex, 'body must be {"expiresInHours": number, "maxUses": number, "rooms": [roomId…], "note"?: string}');
    }
    const made = await admin.createLink(caller, { expiresInHours: b.expiresInHours, maxUses: b.maxUses, rooms, note });
    answer(ex, made, 201, ({ token, link }) => ({ ...link, url: linkBase + token, token }));
  });
  change('/api/v1/admin/invite-links/:id/revoke', async (ex, caller, _b, [id = '']) => {
    answer(ex, await admin.revokeLink(caller, id), 200, (v) => v);
  });
}
