import type { HttpRequest, HttpResponse } from '@based/uws';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from '../auth/password.js';
import type { Authenticator } from '../auth/sessions.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { hashToken, newToken } from '../auth/tokens.js';
import type { ChatService } from '../chat/service.js';
import { parseRoomId } from '../chat/service.js';
import type { Membership } from '../chat/membership.js';
import type { SearchSource } from '../chat/ports.js';
import type { Config } from '../config/schema.js';
import { CLOSE_CODES, CLOSE_REASONS } from '../protocol/errors.js';
import { parseFrameValue, type FrameLimits } from '../protocol/parse.js';
import type { Reader } from '../store/read/reader.js';
import type { Writer } from '../store/write/writer.js';
import type { Logger } from '../log.js';
import { Exchange, remoteIp } from './http.js';
import { isLoopbackAddress } from './loopback.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';
import type { SocketRegistry } from './socket-registry.js';
import { tokenKey } from './socket-state.js';
import type { HttpRoutes } from './http-guard.js';

export interface ApiDeps {
  config: Config;
  chat: ChatService;
  membership: Membership;
  reader: Reader;
  writer: Writer;
  search: SearchSource;
  sockets: SocketRegistry;
  throttle: LoginThrottle;
  metrics: Metrics;
  log: Logger;
  limits: FrameLimits;
  isHealthy: () => boolean;
  /** The one authentication path (the WebSocket upgrade takes it too). */
  auth: Authenticator;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function intParam(params: URLSearchParams, key: string, min: number): number | undefined | null {
  const v = params.get(key);
  if (v === null || v === '') return undefined;
  return /^\d{1,15}$/.test(v) && Number(v) >= min ? Number(v) : null;
}

/** The HTTP API of protocol v1. Every error answer is `{"error":{"code","message"}}`. */
export function mountApi(app: HttpRoutes, deps: ApiDeps): void {
  const { config, chat, reader, writer, sockets, throttle, metrics, log, limits } = deps;

  app.post('/api/v1/login', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const ip = remoteIp(res);
    const length = req.getHeader('content-length');
    // Returned, so the guard answers and logs a failure anywhere in it (HTTP 500 with a request id).
    return (async () => {
      const body = await ex.readJson(Math.min(config.maxHttpBodyBytes, 4096), length);
      if (body === undefined) return;
      // A JSON body may be null, a number or an array: only an object has fields to read.
      const { username, password } = (typeof body === 'object' && body !== null ? body : {}) as { username?: unknown; password?: unknown };
      if (typeof username !== 'string' || typeof password !== 'string' || username.length > 64 || password.length > 1024) {
        return ex.error('bad_request', 'body must be {"username": string, "password": string}');
      }
      const wait = throttle.retryAfter(ip, username);
      if (wait > 0) {
        metrics.inc('roost_login_throttled_total', 'Login attempts refused while throttled.');
        return ex.error('rate_limited', 'too many failed logins; try again later', [['Retry-After', String(Math.ceil(wait / 1000))]]);
      }
      const row = reader.loginRow(username);
      const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
      if (row === undefined || !ok || row.disabled !== 0) {
        throttle.failed(ip, username);
        metrics.inc('roost_auth_failures_total', 'Refused logins and WebSocket upgrades.', { where: 'login' });
        log.info({ ip, user: username }, 'login refused');
        return ex.error('unauthorized', 'wrong user name or password');
      }
      throttle.succeeded(ip, username);
      if (needsRehash(row.password_hash)) {
        // The parameters were raised since this hash was made: store one made with today's.
        const old = row.password_hash;
        // Not awaited (the login need not wait for it), so its failure is handled here: the old hash stays.
        void hashPassword(password)
          .then((hash) => writer.run({ k: 'rehash', user: row.id, old, hash }))
          .catch((err: unknown) => log.warn({ err, user: row.id }, 'password re-hash failed; the old hash stays'));
      }
      const token = newToken();
      const stored = await writer.run({ k: 'token', hash: hashToken(token), user: row.id, expiresAt: Date.now() + config.tokenTtlDays * DAY_MS, ip });
      if (!stored.ok) return ex.error(stored.code, stored.message);
      log.info({ ip, user: row.name }, 'login');
      ex.json(200, { token, user: { id: String(row.id), name: row.name, role: row.role } });
    })();
  });

  app.post('/api/v1/logout', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const info = authenticated(ex, req, deps);
    if (info === undefined) return;
    return writer.run({ k: 'revoke', hash: info.tokenHash }).then((r) => {
      if (!r.ok) return ex.error(r.code, r.message);
      sockets.closeUser(info.userId, CLOSE_CODES.token_revoked, CLOSE_REASONS.token_revoked, tokenKey(info.tokenHash));
      ex.send(204, '', '');
    });
  });

  app.get('/api/v1/rooms', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const info = authenticated(ex, req, deps);
    if (info !== undefined) ex.json(200, { rooms: reader.rooms(info.userId) });
  });

  app.post('/api/v1/rooms/:room/messages', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const room = req.getParameter(0) ?? '';
    const length = req.getHeader('content-length');
    const info = authenticated(ex, req, deps);
    if (info === undefined) return;
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
    let rooms = [...deps.membership.roomsOf(info.userId)];
    let room: number | undefined;
    if (roomParam !== null && roomParam !== '') {
      const id = parseRoomId(roomParam);
      if (id === null || !deps.membership.isMember(id, info.userId)) return ex.error('forbidden', `not a member of room ${JSON.stringify(roomParam)}`);
      room = id;
      rooms = [id];
    }
    return deps.search
      .search({ user: info.userId, query: q, room, limit: Math.min(limit ?? 20, config.maxSearchLimit), before }, rooms)
      .then((hits) => ex.json(200, { hits }), (err: Error) => ex.error('unavailable', `search failed: ${err.message}`));
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
    if (writer.depth >= config.writerQueueMax * 0.9 || writer.queuedBytes >= config.writerQueueBytes * 0.9) return ex.error('unavailable', 'not ready: the writer queue is nearly full');
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
