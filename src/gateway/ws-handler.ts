import type { HttpRequest, HttpResponse, us_socket_context_t, WebSocket, WebSocketBehavior } from '@based/uws';
import type { ChatService } from '../chat/service.js';
import type { Membership } from '../chat/membership.js';
import type { Mutes } from '../chat/mutes.js';
import type { Presence } from '../chat/presence.js';
import { errorFrame, rateLimitedFrame } from '../chat/replies.js';
import type { Config } from '../config/schema.js';
import { CLOSE_CODES, CLOSE_REASONS, ERROR_CODES, type ErrorCode } from '../protocol/errors.js';
import { parseClientFrame, type FrameLimits } from '../protocol/parse.js';
import type { Authenticator } from '../auth/sessions.js';
import type { Logger } from '../log.js';
import { bearerToken, remoteIp, SECURITY_HEADERS, statusLine } from './http.js';
import { countLabelled, type Metrics } from './metrics.js';
import type { SendBatch } from './send-batch.js';
import { SocketRegistry } from './socket-registry.js';
import { SocketState, tokenKey, type SocketData, type SocketLimits } from './socket-state.js';
import { msUntilToken, take } from './token-bucket.js';
import type { UserFrameBuckets } from './user-rate.js';

/**
 * Bad frames (and rate refusals that ignored the announced retry time) a
 * socket may send in a burst before it is closed with 1008 (one more per 5 s).
 */
const STRIKE_BURST = 20;
const STRIKE_RATE = 0.2;

export interface WsDeps {
  /** Gathers the frames a batch of commit results sends (see send-batch.ts). */
  sendBatch: SendBatch;
  config: Config;
  chat: ChatService;
  membership: Membership;
  sockets: SocketRegistry;
  metrics: Metrics;
  log: Logger;
  limits: FrameLimits;
  isAccepting: () => boolean;
  originAllowed: (origin: string, host: string) => boolean;
  /** The one authentication path (the HTTP routes take it too). */
  auth: Authenticator;
  /** Each user's frame rate, shared with the HTTP and Matrix doors' writes. */
  userRate: UserFrameBuckets;
  /** The user's held Matrix `/sync` requests: connections too, counted against maxSocketsPerUser. */
  heldPollsOf?: (user: number) => number;
  /** Who is online; rooms a user muted (their sockets do not subscribe to them). */
  presence?: Presence;
  mutes?: Mutes;
  /** Tests only: see ServerHooks.sendFault. */
  sendFault?: (userId: number, frame: string) => void;
}

/**
 * What a refused upgrade over a connection limit is told to wait: a slot frees
 * only when another socket closes, which the server cannot foresee, so this is
 * a pause long enough not to hammer it, short enough to notice a free slot.
 */
const CONNECTION_RETRY_AFTER_SECONDS = 5;

function refuse(res: HttpResponse, code: ErrorCode, message: string): void {
  res.cork(() => {
    res.writeStatus(statusLine(ERROR_CODES[code].http));
    for (const [k, v] of SECURITY_HEADERS) res.writeHeader(k, v);
    if (code === 'rate_limited') res.writeHeader('Retry-After', String(CONNECTION_RETRY_AFTER_SECONDS));
    res.writeHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ error: { code, message } }));
  });
}

/** The WebSocket route: authentication at upgrade, then frames into the chat rules. */
export function wsBehavior(deps: WsDeps): WebSocketBehavior<SocketData> {
  const { config, chat, membership, sockets, metrics, log, limits } = deps;
  const socketLimits: SocketLimits = {
    batch: deps.sendBatch,
    maxBackpressureBytes: config.maxBackpressureBytes,
    onSent: countLabelled(metrics.labelled('roost_frames_out_total', 'Frames sent to one socket (replies, acks, errors), by type.', 'type')),
    fault: deps.sendFault,
  };
  const framesIn = metrics.labelled('roost_frames_in_total', 'Valid frames received, by type.', 'type');
  const closedByCode = metrics.labelled('roost_connections_closed_total', 'WebSocket connections closed, by close code.', 'code');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const rate = config.framesPerSecond;
  const userBuckets = deps.userRate;

  const strike = (s: SocketState, now: number): void => {
    const strikes = take(s.strikesFullAt, now, STRIKE_RATE, STRIKE_BURST);
    if (strikes !== null) {
      s.strikesFullAt = strikes;
      return;
    }
    metrics.inc('roost_policy_closes_total', 'Sockets closed for sustained bad or excessive frames.');
    s.end(CLOSE_CODES.policy_violation, CLOSE_REASONS.policy_violation);
  };

  /**
   * Refuses a frame for rate, telling the client how long to wait. Only a
   * refused frame sent before the previous refusal's retry time is a strike:
   * a client that waits as told is never closed, however often it is refused.
   */
  const refuseForRate = (s: SocketState, id: string | undefined, retryAfterMs: number, message: string, now: number): void => {
    s.send(rateLimitedFrame(id, retryAfterMs, message));
    const ignoredAdvice = now < s.retryAt;
    s.retryAt = now + retryAfterMs;
    if (ignoredAdvice) strike(s, now);
  };

  return {
    // uWS refuses larger frames by dropping the connection with no close frame;
    // leaving headroom lets us close oversized ones properly, with 1009.
    maxPayloadLength: config.maxFrameBytes * 4,
    // Past maxBackpressure uWS drops frames for a socket instead of buffering them. Its own
    // closeOnBackpressureLimit ends the connection without a close frame (clients see 1006),
    // so `dropped` marks the socket and `drain` closes it with 1013 once the close frame fits.
    maxBackpressure: config.maxBackpressureBytes,
    closeOnBackpressureLimit: false,
    idleTimeout: config.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    compression: 0,

    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      const token = bearerToken(req);
      const ip = remoteIp(res);
      if (!deps.isAccepting()) return refuse(res, 'unavailable', 'the server is shutting down');
      // Past maxConnections the process would run out of file descriptors: refuse while it still can answer.
      if (sockets.size >= config.maxConnections) {
        metrics.inc('roost_connections_refused_total', 'WebSocket upgrades refused because the server is at maxConnections.');
        return refuse(res, 'unavailable', 'the server is at its connection limit; try again later');
      }
      if (origin !== '' && !deps.originAllowed(origin, host)) return refuse(res, 'forbidden', 'origin not allowed');
      const info = deps.auth.authenticate(token, () => ip);
      if (info === undefined) {
        metrics.inc('roost_auth_failures_total', 'Refused logins and WebSocket upgrades.', { where: 'upgrade' });
        return refuse(res, 'unauthorized', 'missing, wrong, expired or revoked token');
      }
      if (sockets.countForUser(info.userId) + (deps.heldPollsOf?.(info.userId) ?? 0) >= config.maxSocketsPerUser) return refuse(res, 'rate_limited', 'too many connections for this user');
      if (sockets.countForIp(ip) >= config.maxSocketsPerIp) return refuse(res, 'rate_limited', 'too many connections from this address');
      const state = new SocketState(info.userId, tokenKey(info.tokenHash), sockets.internIp(ip), socketLimits);
      // uWS copies the user data's own fields onto the socket object and drops its
      // prototype, so the SocketState travels inside a holder to keep its methods.
      res.upgrade({ state }, key, protocol, extensions, context);
    },

    open: (ws: WebSocket<SocketData>) => {
      const s = ws.getUserData().state;
      s.ws = ws;
      sockets.add(s);
      const rooms = membership.roomsOf(s.userId);
      for (const topic of SocketRegistry.topicsFor(deps.mutes?.audible(s.userId, rooms) ?? rooms)) ws.subscribe(topic);
      deps.presence?.opened(s.userId);
      metrics.inc('roost_connections_opened_total', 'WebSocket connections opened.');
      log.debug({ conn: s.id, user: s.userId, ip: s.ip }, 'socket opened');
    },

    message: (ws: WebSocket<SocketData>, message: ArrayBuffer, isBinary: boolean) => {
      const s = ws.getUserData().state;
      if (s.closed) return;
      if (message.byteLength > config.maxFrameBytes) {
        metrics.inc('roost_frames_rejected_total', 'Frames refused before reaching the chat rules.', { reason: 'too_large' });
        return s.end(CLOSE_CODES.too_large, `frame larger than ${config.maxFrameBytes} bytes`);
      }
      const now = Date.now();
      let text: string;
      try {
        if (isBinary) throw new Error('binary');
        text = decoder.decode(message);
      } catch {
        s.send(errorFrame(undefined, 'bad_request', 'frames must be UTF-8 text'));
        return strike(s, now);
      }
      const parsed = parseClientFrame(text, limits);
      if (!parsed.ok) {
        metrics.inc('roost_frames_rejected_total', 'Frames refused before reaching the chat rules.', { reason: parsed.code });
        s.send(errorFrame(parsed.id, parsed.code, parsed.message));
        return strike(s, now);
      }
      // Rate limits apply after parsing so the refusal can echo the request's id.
      if (rate > 0) {
        const frames = take(s.framesFullAt, now, rate, config.frameBurst);
        if (frames === null) {
          metrics.inc('roost_rate_limited_total', 'Frames refused by the per-socket rate limit.');
          const wait = msUntilToken(s.framesFullAt, now, rate, config.frameBurst);
          return refuseForRate(s, parsed.frame.id, wait, `more than ${rate} frames per second; slow down`, now);
        }
        s.framesFullAt = frames;
      }
      if (!userBuckets.take(s.userId, now)) {
        metrics.inc('roost_user_rate_limited_total', 'Frames refused by the per-user rate limit (all of a user\'s sockets together).');
        const wait = userBuckets.msUntilFrame(s.userId, now);
        return refuseForRate(s, parsed.frame.id, wait, `more than ${config.userFramesPerSecond} frames per second from this account; slow down`, now);
      }
      framesIn(parsed.frame.type);
      try {
        chat.handle(s, parsed.frame);
      } catch (err) {
        log.error({ err, conn: s.id, user: s.userId, frame: parsed.frame.type }, 'frame handler failed');
        s.send(errorFrame(parsed.frame.id, 'internal', 'internal error; nothing was changed'));
      }
    },

    dropped: (ws: WebSocket<SocketData>) => {
      const s = ws.getUserData().state;
      if (s.lagging) return;
      s.lagging = true;
      metrics.inc('roost_backpressure_closes_total', 'Sockets closed with 1013 for falling behind (over maxBackpressureBytes).');
      log.info({ conn: s.id, user: s.userId, ip: s.ip }, 'socket fell behind; closing it with 1013');
    },

    drain: (ws: WebSocket<SocketData>) => {
      ws.getUserData().state.drained();
    },

    close: (ws: WebSocket<SocketData>, code: number) => {
      const s = ws.getUserData().state;
      s.closed = true;
      s.ws = null;
      sockets.remove(s);
      deps.presence?.closed(s.userId, s.away);
      userBuckets.closed(s.userId, sockets.countForUser(s.userId), Date.now());
      closedByCode(String(code));
      log.debug({ conn: s.id, user: s.userId, code }, 'socket closed');
    },
  };
}
