import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Authenticator, Session } from '../auth/sessions.js';
import { remoteIp } from '../gateway/http.js';
import type { HttpRoutes } from '../gateway/http-guard.js';
import type { UserFrameBuckets } from '../gateway/user-rate.js';
import { MAX_JSON_DEPTH, nestedWithin } from './json-object.js';
import { matrixError, unrecognized, type MatrixError } from './errors.js';
import { CORS_HEADERS, MatrixExchange } from './exchange.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A request as a handler sees it: everything uWS lends only during the call is copied out. */
export interface MatrixRequest {
  ex: MatrixExchange;
  method: Method;
  /** The path's `:name` segments, URL-decoded, in order. */
  params: readonly string[];
  query: URLSearchParams;
  /** The JSON body (`{}` when empty); undefined for GET and DELETE without one, and for `body: 'none'` routes. */
  body: unknown;
  /** The caller's address, read on first ask (text from uWS costs more than the rest of a held poll). */
  ip: () => string;
  headers: { contentType: string; contentLength: string; userAgent: string; range: string; ifNoneMatch: string };
}

export interface AuthedRequest extends MatrixRequest { session: Session; token: string }

export type Handler<R extends MatrixRequest = MatrixRequest> = (r: R) => void | Promise<void>;

export interface RouteOptions {
  /** `'none'`: the handler reads the body itself from `ex.res` (uploads); default: JSON for POST and PUT. */
  body?: 'json' | 'none';
  /** Writes count against the user's request rate (default: POST, PUT and DELETE do). */
  rated?: boolean;
  /** What a request without a token is told (media: why old clients' unauthenticated downloads fail). */
  missingToken?: string;
}

interface Route { method: Method; segments: string[]; auth: boolean; handler: Handler<AuthedRequest> | Handler; options: RouteOptions }

export interface RouterDeps {
  auth: Authenticator;
  maxBodyBytes: number;
  /** Per-user request rate for writes; refusals answer M_LIMIT_EXCEEDED with retry_after_ms. */
  rate: UserFrameBuckets;
  onError: (err: unknown, method: string, path: string) => void;
  /** Runs a synchronous read on one database snapshot (MatrixStore.snapshot). */
  snapshot<T>(read: () => T): T;
}

/** Media paths of the content repository under `v3` and `r0` (before authenticated media, spec v1.11). */
export const media = (path: string): string[] => [`/_matrix/media/v3/${path}`, `/_matrix/media/r0/${path}`];

/** Client-server API paths, each under `v3` and its old name `r0` (still called by packaged clients). */
export const client = (path: string): string[] => [`/_matrix/client/v3/${path}`, `/_matrix/client/r0/${path}`];

function tokenOf(req: HttpRequest, query: URLSearchParams): string | undefined {
  const header = req.getHeader('authorization');
  if (header.startsWith('Bearer ')) return header.slice(7).trim();
  return query.get('access_token') ?? undefined;
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/**
 * The Matrix door's router: one uWS wildcard per prefix, then a table of
 * routes matched segment by segment (`:x` takes one segment). Anything not
 * in the table is M_UNRECOGNIZED; OPTIONS is the CORS preflight. Other
 * engineers add routes with `get/post/put/del` (or `authed…`).
 */
export class MatrixRouter {
  private readonly routes: Route[] = [];
  /** Routes without `:name` segments, by their path: a `/sync` re-poll finds its route without walking the table. */
  private readonly fixed = new Map<string, Route[]>();

  constructor(private readonly deps: RouterDeps) {}

  add(method: Method, paths: string | string[], handler: Handler, options: RouteOptions = {}): void {
    for (const p of typeof paths === 'string' ? [paths] : paths) this.push({ method, segments: split(p), auth: false, handler, options });
  }

  authed(method: Method, paths: string | string[], handler: Handler<AuthedRequest>, options: RouteOptions = {}): void {
    for (const p of typeof paths === 'string' ? [paths] : paths) this.push({ method, segments: split(p), auth: true, handler, options });
  }

  private push(route: Route): void {
    this.routes.push(route);
    if (route.segments.some((s) => s.startsWith(':'))) return;
    const path = `/${route.segments.join('/')}`;
    this.fixed.set(path, [...(this.fixed.get(path) ?? []), route]);
  }

  /** Mounts the prefixes on the app (before its catch-all). */
  mount(app: HttpRoutes): void {
    const serve = (res: HttpResponse, req: HttpRequest): void | Promise<void> => this.serve(res, req);
    app.any('/_matrix/*', serve);
    app.any('/.well-known/matrix/*', serve);
  }

  /**
   * A fixed path is matched before any route with `:name` segments, and
   * without splitting or decoding the path: a `/sync` re-poll is most of a
   * busy door's requests.
   */
  private match(method: string, url: string): { route: Route; params: readonly string[] } | 'wrong-method' | 'bad-path' | undefined {
    const route = this.fixed.get(url)?.find((r) => r.method === method);
    if (route !== undefined) return { route, params: NO_PARAMS };
    let segments: string[];
    try {
      segments = split(url).map(decodeURIComponent);
    } catch {
      return 'bad-path';
    }
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.segments.length !== segments.length || !route.segments.every((want, i) => want.startsWith(':') || want === segments[i])) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { route, params: segments.filter((_, i) => route.segments[i]?.startsWith(':')) };
    }
    return pathMatched ? 'wrong-method' : undefined;
  }

  private serve(res: HttpResponse, req: HttpRequest): void | Promise<void> {
    const ex = new MatrixExchange(res);
    const method = req.getMethod().toUpperCase();
    const url = req.getUrl();
    if (method === 'OPTIONS') {
      res.cork(() => {
        res.writeStatus('204 No Content');
        for (const [k, v] of CORS_HEADERS) res.writeHeader(k, v);
        res.end();
      });
      return;
    }
    const found = this.match(method, url);
    if (found === undefined || found === 'bad-path') return ex.fail(unrecognized());
    if (found === 'wrong-method') return ex.fail(matrixError(405, 'M_UNRECOGNIZED', `${method} is not served on this path`));
    const { route, params } = found;
    const query = new URLSearchParams(req.getQuery() ?? '');
    const headers = {
      contentType: req.getHeader('content-type'), contentLength: req.getHeader('content-length'), userAgent: req.getHeader('user-agent'),
      range: req.getHeader('range'), ifNoneMatch: req.getHeader('if-none-match'),
    };
    let ip: string | undefined;
    // uWS forbids touching an aborted response; an address asked after that is unknown.
    const ipOf = (): string => (ip ??= ex.aborted ? '' : remoteIp(res));
    /** The caller's session (none for an open route), or null once the request has been refused for its token or rate. */
    const admit = (): { session?: Session; token?: string } | null => {
      if (!route.auth) return {};
      const token = tokenOf(req, query);
      if (token === undefined) {
        ex.fail(matrixError(401, 'M_MISSING_TOKEN', route.options.missingToken ?? 'Missing access token'));
        return null;
      }
      // A GET (a /sync re-poll, mostly) may use a session read in the last seconds.
      const session = this.deps.auth.authenticate(token, ipOf, method === 'GET');
      if (session === undefined) {
        ex.fail(matrixError(401, 'M_UNKNOWN_TOKEN', 'Unknown, expired or revoked access token'));
        return null;
      }
      if (route.options.rated ?? method !== 'GET') {
        const now = Date.now();
        if (!this.deps.rate.take(session.userId, now)) {
          ex.fail(matrixError(429, 'M_LIMIT_EXCEEDED', 'Too many requests', Math.max(1, this.deps.rate.msUntilFrame(session.userId, now))));
          return null;
        }
      }
      return { session, token };
    };
    const guarded = (caller: { session?: Session; token?: string }, body: unknown): Promise<void> | undefined => {
      try {
        const run = route.auth
          ? (route.handler as Handler<AuthedRequest>)({
            ex, method: method as Method, params, query, body, ip: ipOf, headers, session: caller.session as Session, token: caller.token as string,
          })
          : (route.handler as Handler)({ ex, method: method as Method, params, query, body, ip: ipOf, headers });
        // Most handlers answer (or hold) synchronously: only a returned promise needs a catch.
        return run instanceof Promise ? run.catch((err: unknown) => this.failed(ex, err, method, url)) : undefined;
      } catch (err) {
        this.failed(ex, err, method, url);
        return undefined;
      }
    };
    const wantsBody = route.options.body !== 'none' && (method === 'POST' || method === 'PUT' || (method === 'DELETE' && headers.contentLength !== '' && headers.contentLength !== '0'));
    if (!wantsBody) {
      // The session and what the handler reads before its first await share one database
      // snapshot: a /sync poll's dozen reads take the read lock once, not once each.
      return this.deps.snapshot(() => {
        const caller = admit();
        return caller === null ? undefined : guarded(caller, undefined);
      });
    }
    // Refused for its token or rate before its body is read.
    const caller = admit();
    if (caller === null) return;
    return this.readJson(ex, headers.contentLength).then((body) => (body === NO_BODY ? undefined : guarded(caller, body)));
  }

  private failed(ex: MatrixExchange, err: unknown, method: string, path: string): void {
    this.deps.onError(err, method, path);
    ex.fail(matrixError(500, 'M_UNKNOWN', 'Internal server error'));
  }

  /** Reads a JSON body of at most maxBodyBytes; an empty body is `{}`. Answers the client itself on failure. */
  private readJson(ex: MatrixExchange, contentLength: string): Promise<unknown> {
    const limit = this.deps.maxBodyBytes;
    const tooLarge = (): MatrixError => matrixError(413, 'M_TOO_LARGE', `Body is larger than ${limit} bytes`);
    if (contentLength !== '' && Number(contentLength) > limit) {
      ex.fail(tooLarge());
      return Promise.resolve(NO_BODY);
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      ex.waitWith({ clientGone: () => resolve(NO_BODY) });
      ex.res.onData((chunk, isLast) => {
        if (ex.done) return;
        size += chunk.byteLength;
        if (size > limit) {
          ex.fail(tooLarge());
          return resolve(NO_BODY);
        }
        chunks.push(Buffer.from(chunk.slice(0)));
        if (!isLast) return;
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() === '') return resolve({});
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          ex.fail(matrixError(400, 'M_NOT_JSON', 'Content not JSON'));
          return resolve(NO_BODY);
        }
        // Stored bodies (account data, filters) are stringified again in every /sync: one nested past
        // what JSON.stringify's stack takes would fail each of that user's syncs from then on.
        if (!nestedWithin(body, MAX_JSON_DEPTH)) {
          ex.fail(matrixError(400, 'M_BAD_JSON', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
          return resolve(NO_BODY);
        }
        resolve(body);
      });
    });
  }
}

/** The params of a route without `:name` segments. */
const NO_PARAMS: readonly string[] = [];

/** A body that could not be read (the client was answered already). */
const NO_BODY = Symbol('no body');
