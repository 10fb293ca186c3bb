import type { LoginThrottle } from '../auth/login-throttle.js';
import type { AdminService } from '../chat/admin-service.js';
import type { Authenticator } from '../auth/sessions.js';
import type { Logger } from '../log.js';
import { mountAdminRoutes } from './admin-routes.js';
import type { HttpRoutes } from './http-guard.js';
import { mountInviteRoutes } from './invite-routes.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';

export interface AdminDoorDeps {
  admin: AdminService;
  auth: Authenticator;
  throttle: LoginThrottle;
  metrics: Metrics;
  log: Logger;
  tls: boolean;
  connections: () => number;
  writerDepth: () => number;
  isHealthy: () => boolean;
}

/** The admin page's routes and the public invitation-link routes, over one AdminService. */
export function mountAdminDoor(routes: HttpRoutes, deps: AdminDoorDeps): void {
  const { admin, metrics, log } = deps;
  mountAdminRoutes(routes, {
    admin, metrics, tls: deps.tls, connections: deps.connections, writerDepth: deps.writerDepth, isHealthy: deps.isHealthy,
    authenticate: (ex, req) => authenticated(ex, req, { auth: deps.auth, metrics }),
  });
  mountInviteRoutes(routes, { admin, throttle: deps.throttle, metrics, log });
}
