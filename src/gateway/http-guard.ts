import type { HttpRequest, HttpResponse, TemplatedApp } from '@based/uws';
import type { Logger } from '../log.js';
import { Exchange } from './http.js';

/**
 * A route. One that continues after an await or a `.then` returns that
 * promise, so a failure in the continuation reaches the guard too (a
 * detached one would be an unhandled rejection, which ends the process).
 */
export type RouteHandler = (res: HttpResponse, req: HttpRequest) => void | Promise<void>;

/** Where the HTTP routes are mounted: the app's, each behind the guard below. */
export interface HttpRoutes {
  get(pattern: string, handler: RouteHandler): void;
  post(pattern: string, handler: RouteHandler): void;
  del(pattern: string, handler: RouteHandler): void;
  any(pattern: string, handler: RouteHandler): void;
}

/**
 * uWS ends the process when a route handler throws, and with it every
 * socket of every user: a bug in one route must cost one request, not the
 * server. Each failure (thrown, or a rejected promise from an async handler)
 * is logged under a request id, and the 500 answer carries the same id, so
 * a user's report can be matched to its log line.
 */
export function guardedRoutes(app: TemplatedApp, log: Logger): HttpRoutes {
  let failures = 0;
  const fail = (res: HttpResponse, method: string, route: string, err: unknown): void => {
    const requestId = `${Date.now().toString(36)}-${(++failures).toString(36)}`;
    log.error({ err, requestId, method, route }, 'HTTP handler failed');
    try {
      new Exchange(res).json(500, { error: { code: 'internal', message: `internal error (request ${requestId})`, requestId } });
    } catch {
      // Answered already, or the client went away: uWS refuses the write, and the log line is what is left.
    }
  };
  // The route's pattern is logged, never the request's path or query: tokens ride in both (a hook's URL is its secret).
  const guard = (pattern: string, handler: RouteHandler): RouteHandler => (res, req) => {
    let out: unknown;
    try {
      out = handler(res, req);
    } catch (err) {
      return fail(res, req.getMethod(), pattern, err);
    }
    if (out instanceof Promise) {
      const method = req.getMethod();
      out.catch((err: unknown) => fail(res, method, pattern, err));
    }
  };
  return {
    get: (pattern, handler) => void app.get(pattern, guard(pattern, handler)),
    post: (pattern, handler) => void app.post(pattern, guard(pattern, handler)),
    del: (pattern, handler) => void app.del(pattern, guard(pattern, handler)),
    any: (pattern, handler) => void app.any(pattern, guard(pattern, handler)),
  };
}
