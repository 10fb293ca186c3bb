import type { HttpRequest, HttpResponse, TemplatedApp } from '@based/uws';
import type { Logger } from '../log.js';
import { SECURITY_HEADERS, statusLine } from './http.js';

export type RouteHandler = (res: HttpResponse, req: HttpRequest) => void;

/** Where the HTTP routes are mounted: the app's, each behind the guard below. */
export interface HttpRoutes {
  get(pattern: string, handler: RouteHandler): void;
  post(pattern: string, handler: RouteHandler): void;
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
  const guard = (handler: RouteHandler): RouteHandler => (res, req) => {
    // Read now: uWS's request object is only valid during this call. The path has no query (tokens may ride there).
    const method = req.getMethod();
    const path = req.getUrl();
    const fail = (err: unknown): void => {
      const requestId = `${Date.now().toString(36)}-${(++failures).toString(36)}`;
      log.error({ err, requestId, method, path }, 'HTTP handler failed');
      answer500(res, requestId);
    };
    try {
      const out: unknown = handler(res, req);
      if (out instanceof Promise) out.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
  return {
    get: (pattern, handler) => void app.get(pattern, guard(handler)),
    post: (pattern, handler) => void app.post(pattern, guard(handler)),
    any: (pattern, handler) => void app.any(pattern, guard(handler)),
  };
}

function answer500(res: HttpResponse, requestId: string): void {
  const body = JSON.stringify({ error: { code: 'internal', message: `internal error (request ${requestId})`, requestId } });
  try {
    res.cork(() => {
      res.writeStatus(statusLine(500));
      for (const [k, v] of SECURITY_HEADERS) res.writeHeader(k, v);
      res.writeHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(body);
    });
  } catch {
    // Answered already, or the client went away: uWS refuses the write, and the log line is what is left.
  }
}
