import { hashToken, newToken } from '../auth/tokens.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { AdminDirectory, SessionIssuer } from '../chat/admin-ports.js';
import { AdminService } from '../chat/admin-service.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { AdminWorker } from '../store/admin/admin-worker.js';
import type { Reader } from '../store/read/reader.js';
import type { Writer } from '../store/write/writer.js';
import { mountAdminRoutes } from './admin-routes.js';
import type { HttpRoutes } from './http-guard.js';
import { mountInviteRoutes } from './invite-routes.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Rows listed by one admin request: enough for any LAN, bounded all the same. */
const DIRECTORY_LIMIT = 5000;

export interface AdminDoorDeps {
  config: Config;
  reader: Reader;
  writer: Writer;
  throttle: LoginThrottle;
  metrics: Metrics;
  log: Logger;
  tls: boolean;
  connections: () => number;
  isHealthy: () => boolean;
  /** Applies committed changes to live state now (the events follower's poll). */
  afterChange: () => void;
}

export interface AdminDoor { readonly service: AdminService; close(): Promise<void> }

/** The admin page's and invitation links' routes, with their store side (the admin thread) wired in. */
export function mountAdminDoor(routes: HttpRoutes, deps: AdminDoorDeps): AdminDoor {
  const { config, reader, writer, metrics, log } = deps;
  const worker = new AdminWorker(config.dataDir, config.synchronous, (message) => log.error({ reason: message }, 'admin thread failed; admin actions and invitation links answer unavailable'));
  const directory: AdminDirectory = {
    users: () => reader.allUsers(DIRECTORY_LIMIT).map((u) => ({
      id: String(u.id), name: u.name, role: u.role === 'admin' ? 'admin' : 'member', disabled: u.disabled !== 0, createdAt: u.created_at,
    })),
    rooms: () => reader.allRooms(DIRECTORY_LIMIT).map((r) => ({
      id: String(r.id), name: r.name, kind: r.kind, lastSeq: r.last_seq, createdAt: r.created_at, members: r.members,
    })),
  };
  // A session made the way a login makes one (the writer thread stores its hash).
  const issueSession: SessionIssuer = async (userId, ip) => {
    const token = newToken();
    const stored = await writer.run({ k: 'token', hash: hashToken(token), user: userId, expiresAt: Date.now() + config.tokenTtlDays * DAY_MS, ip });
    return stored.ok ? { ok: true, value: token } : stored;
  };
  const service = new AdminService({
    store: worker, directory, issueSession, afterChange: deps.afterChange,
    onError: (err) => log.error({ err }, 'applying an admin change to live sockets failed; the events follower catches up'),
  });
  mountAdminRoutes(routes, {
    admin: service, metrics, tls: deps.tls, connections: deps.connections, writerDepth: () => writer.depth, isHealthy: deps.isHealthy,
    authenticate: (ex, req) => authenticated(ex, req, { reader, metrics }),
  });
  mountInviteRoutes(routes, { admin: service, throttle: deps.throttle, metrics, log });
  return { service, close: () => worker.close() };
}
