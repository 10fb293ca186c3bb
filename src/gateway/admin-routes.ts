import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Authenticator } from '../auth/sessions.js';
import type { Reader, TokenInfo } from '../store/read/reader.js';
import { Exchange } from './http.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface AdminRouteDeps {
  auth: Authenticator;
  reader: Reader;
  metrics: Metrics;
  /** Open WebSocket connections. */
  connections: () => number;
  /** Writes waiting for or in a commit. */
  writerDepth: () => number;
  isHealthy: () => boolean;
}

/** Rows listed by one admin request: enough for any LAN, bounded all the same. */
const DIRECTORY_LIMIT = 5000;
const startedAt = Date.now();

function counter(metrics: Metrics, name: string): number {
  let sum = 0;
  for (const v of metrics.counters.get(name)?.values.values() ?? []) sum += v;
  return sum;
}

/**
 * Read-only routes for the web client's admin page: users, rooms with their
 * members, and the server's health and a few figures. Admins only (403
 * otherwise); changes stay with the CLI, which records them in the events feed.
 */
export function mountAdminRoutes(app: HttpRoutes, deps: AdminRouteDeps): void {
  const admin = (res: HttpResponse, req: HttpRequest, answer: (ex: Exchange, who: TokenInfo) => void): void => {
    const ex = new Exchange(res);
    const info = authenticated(ex, req, deps);
    if (info === undefined) return;
    if (info.role !== 'admin') return ex.error('forbidden', 'admin role required');
    answer(ex, info);
  };
  const noStore: Array<[string, string]> = [['Cache-Control', 'no-store']];

  app.get('/api/v1/admin/users', (res, req) => admin(res, req, (ex) => {
    const users = deps.reader.allUsers(DIRECTORY_LIMIT).map((u) => ({
      id: String(u.id), name: u.name, role: u.role, disabled: u.disabled !== 0, createdAt: u.created_at,
    }));
    ex.json(200, { users }, noStore);
  }));

  app.get('/api/v1/admin/rooms', (res, req) => admin(res, req, (ex) => {
    const rooms = deps.reader.allRooms(DIRECTORY_LIMIT).map((r) => ({
      id: String(r.id), name: r.name, kind: r.kind, lastSeq: r.last_seq, createdAt: r.created_at, members: r.members,
    }));
    ex.json(200, { rooms }, noStore);
  }));

  app.get('/api/v1/admin/stats', (res, req) => admin(res, req, (ex) => {
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
    }, noStore);
  }));
}
