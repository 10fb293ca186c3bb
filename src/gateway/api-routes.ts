import type { UserFrameBuckets } from './user-rate.js';
import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Accounts } from '../auth/accounts.js';
import { deviceLabel } from '../auth/device-label.js';
import type { Authenticator } from '../auth/sessions.js';
import type { ChatService } from '../chat/service.js';
import type { HistorySource } from '../chat/ports.js';
import type { Config } from '../config/schema.js';
import { parseFrameValue, type FrameLimits } from '../protocol/parse.js';
import { Exchange, remoteIp } from './http.js';
import { refuse } from './http-refusal.js';
import { isLoopbackAddress } from './loopback.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface ApiDeps {
  config: Config;
  chat: ChatService;
  /** The rooms list of `GET /api/v1/rooms`. */
  history: Pick<HistorySource, 'rooms'>;
  accounts: Accounts;
  /** Writes waiting for or in a commit, and their estimated bytes: readiness. */
  writerLoad: () => { depth: number; bytes: number };
  metrics: Metrics;
  limits: FrameLimits;
  isHealthy: () => boolean;
  /** The one authentication path (the WebSocket upgrade takes it too). */
  auth: Authenticator;
  /** Each user's frame rate: a message sent over HTTP counts like one sent on a socket. */
  userRate: UserFrameBuckets;
}

function intParam(params: URLSearchParams, key: string, min: number): number | undefined | null {
  const v = params.get(key);
  if (v === null || v === '') return undefined;
  return /^\d{1,15}$/.test(v) && Number(v) >= min ? Number(v) : null;
}

/** The HTTP API of protocol v1. Every error answer is `{"error":{"code","message"}}`. */
export function mountApi(app: HttpRoutes, deps: ApiDeps): void {
  const { config, chat, accounts, metrics, limits } = deps;

  app.post('/api/v1/login', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const ip = remoteIp(res);
    const length = req.getHeader('content-length');
    const userAgent = req.getHeader('user-agent');
    // Returned, so the guard answers and logs a failure anywhere in it (HTTP 500 with a request id).
    return (async () => {
      const body = await ex.readJson(Math.min(config.maxHttpBodyBytes, 4096), length);
      if (body === undefined) return;
      // A JSON body may be null, a number or an array: only an object has fields to read.
      const { username, password, device } = (typeof body === 'object' && body !== null ? body : {}) as { username?: unknown; password?: unknown; device?: unknown };
      if (typeof username !== 'string' || typeof password !== 'string' || username.length > 64 || password.length > 1024) {
        return ex.error('bad_request', 'body must be {"username": string, "password": string, "device"?: string}');
      }
      if (device !== undefined && (typeof device !== 'string' || device.length > 256)) {
        return ex.error('bad_request', '"device" must be a string of at most 256 characters');
      }
      const r = await accounts.login(username, password, deviceLabel(typeof device === 'string' ? device : undefined, userAgent), ip);
      if (!r.ok) {
        if (r.code === 'rate_limited') metrics.inc('roost_login_throttled_total', 'Login attempts refused while throttled.');
        if (r.code === 'unauthorized') metrics.inc('roost_auth_failures_total', 'Refused logins and WebSocket upgrades.', { where: 'login' });
        return refuse(ex, r);
      }
      ex.json(200, { token: r.token, user: r.user });
    })();
  });

  app.post('/api/v1/logout', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const info = authenticated(ex, req, deps);
    if (info === undefined) return;
    return accounts.logout(info).then((r) => (r.ok ? ex.send(204, '', '') : refuse(ex, r)));
  });

  app.get('/api/v1/rooms', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const info = authenticated(ex, req, deps);
    if (info !== undefined) ex.json(200, { rooms: deps.history.rooms(info.userId) });
  });

  app.post('/api/v1/rooms/:room/messages', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const room = req.getParameter(0) ?? '';
    const length = req.getHeader('content-length');
    const info = authenticated(ex, req, deps);
    if (info === undefined) return;
    const now = Date.now();
    if (!deps.userRate.take(info.userId, now)) {
      const retryAfterMs = Math.max(1, deps.userRate.msUntilFrame(info.userId, now));
      return refuse(ex, { ok: false, code: 'rate_limited', message: `more than ${config.userFramesPerSecond} messages per second from this account; slow down`, retryAfterMs });
    }
    return ex.readJson(config.maxHttpBodyBytes, length).then((body) => {
      if (body === undefined) return;
      const parsed = parseFrameValue({ ...(body as object), type: 'send', room, id: undefined }, limits);
      if (!parsed.ok) return ex.error(parsed.code, parsed.message);
      if (parsed.frame.type !== 'send') return ex.error('bad_request', 'not a message');
      chat.send(info.userId, parsed.frame.room, parsed.frame.body, parsed.frame.clientMsgId, (o) => {
        if (!o.ok) return ex.error(o.code, o.message);
        ex.json(201, { type: 'ack', room: o.room, seq: o.seq, msgId: o.msgId, ts: o.ts });
      }, { replyTo: parsed.frame.replyTo, attachments: parsed.frame.attachments });
    });
  });

  app.get('/api/v1/rooms/:room/messages', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const room = req.getParameter(0) ?? '';
    const params = new URLSearchParams(req.getQuery() ?? '');
    const info = authenticated(ex, req, deps);
    if (info === undefined) return;
    const before = intParam(params, 'before', 1);
    const limit = intParam(params, 'limit', 1);
    if (before === null || limit === null) return ex.error('bad_request', '"before" and "limit" must be positive integers');
    const page = chat.historyPage(info.userId, room, before, limit === undefined ? undefined : Math.min(limit, config.maxHistoryLimit));
    if (!page.ok) return ex.error(page.code, page.message);
    ex.json(200, { messages: page.messages, more: page.more, horizon: page.horizon });
  });

  app.get('/api/v1/search', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const params = new URLSearchParams(req.getQuery() ?? '');
    const info = authenticated(ex, req, deps);
    if (info === undefined) return;
    const q = params.get('q') ?? '';
    const limit = intParam(params, 'limit', 1);
    const before = intParam(params, 'before', 1);
    const roomParam = params.get('room');
    if (q.trim() === '' || q.length > 256) return ex.error('bad_request', '"q" must be 1 to 256 characters');
    if (limit === null || before === null) return ex.error('bad_request', '"limit" and "before" must be positive integers');
    // The chat service's search, as the socket's and the Matrix door's: one place says which rooms, and which of their messages, a user may find.
    return chat.search(info.userId, { query: q, rooms: roomParam === null || roomParam === '' ? undefined : [roomParam], limit: Math.min(limit ?? 20, config.maxSearchLimit), before })
      .then((out) => (out.ok ? ex.json(200, { hits: out.hits }) : ex.error(out.code, out.message)));
  });

  app.get('/healthz', (res: HttpResponse) => {
    const ex = new Exchange(res);
    if (deps.isHealthy()) ex.json(200, { status: 'ok' });
    else ex.error('unavailable', 'the store is not writable or the server is shutting down');
  });

  // Readiness (for a load balancer or a start script): healthy and not so backed up that a
  // send would be refused. /healthz stays the liveness answer.
  app.get('/readyz', (res: HttpResponse) => {
    const ex = new Exchange(res);
    if (!deps.isHealthy()) return ex.error('unavailable', 'not ready: starting, shutting down, or the store is not writable');
    const load = deps.writerLoad();
    if (load.depth >= config.writerQueueMax * 0.9 || load.bytes >= config.writerQueueBytes * 0.9) return ex.error('unavailable', 'not ready: the writer queue is nearly full');
    ex.json(200, { status: 'ready' });
  });

  app.get('/metrics', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const ip = remoteIp(res);
    if (!isLoopbackAddress(ip)) {
      const info = authenticated(ex, req, deps);
      if (info === undefined) return;
      if (info.role !== 'admin') return ex.error('forbidden', 'metrics are for admins');
    }
    ex.send(200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
  });

  app.any('/api/*', (res: HttpResponse) => {
    new Exchange(res).error('not_found', 'no such route');
  });
}
