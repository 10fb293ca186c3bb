import { ProtocolError, type ClientFrame, type ServerFrame } from './protocol.js';

export type ConnState =
  | { kind: 'connecting' }
  | { kind: 'online' }
  | { kind: 'waiting'; retryAt: number }
  | { kind: 'stopped' };

export interface ConnectionEvents {
  /** Every frame that is not a reply to a request of ours. */
  frame(f: ServerFrame): void;
  /** The socket opened (first time or after a drop): the time to catch up with `sync`. */
  opened(): void;
  state(s: ConnState): void;
  /** The server refused our token (revoked, expired): the session is over. */
  unauthorized(): void;
}

interface Waiter { resolve: (f: ServerFrame) => void; reject: (e: Error) => void; timer: number }

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const STABLE_MS = 10_000;
const HEARTBEAT_MS = 25_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;
/** Replies awaited at once; past that a request fails at once rather than queue without bound. */
const MAX_IN_FLIGHT = 500;
/** The server closed us for misbehaving (bad frames, ignoring `retryAfterMs`): the token still works; back off. */
const POLICY_VIOLATION = 1008;
/** The token was revoked (logout, user disabled, logout-all): reconnecting cannot work; sign in again. */
const TOKEN_REVOKED = 4001;

/**
 * One WebSocket to /ws that comes back by itself: exponential back-off with
 * jitter after a drop (reset once a socket has stayed up), an immediate try
 * when the browser says it is online again, and a heartbeat `ping` so a dead
 * network is noticed within half a minute. Requests carry an `id` and resolve
 * with the reply that echoes it.
 */
export class Connection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private openedAt = 0;
  private nextId = 1;
  private retryTimer = 0;
  private heartbeat = 0;
  private readonly waiters = new Map<string, Waiter>();
  private current: ConnState = { kind: 'connecting' };

  constructor(
    private readonly url: string,
    private readonly checkToken: () => Promise<'ok' | 'unauthorized' | 'unreachable'>,
    private readonly on: ConnectionEvents,
  ) {}

  get state(): ConnState {
    return this.current;
  }

  start(): void {
    window.addEventListener('online', this.retryNow);
    this.heartbeat = window.setInterval(() => this.beat(), HEARTBEAT_MS);
    this.open();
  }

  stop(): void {
    window.removeEventListener('online', this.retryNow);
    window.clearInterval(this.heartbeat);
    window.clearTimeout(this.retryTimer);
    this.setState({ kind: 'stopped' });
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'signed out');
    this.failAll(new ProtocolError('unavailable', 'connection closed'));
  }

  readonly retryNow = (): void => {
    if (this.current.kind !== 'waiting') return;
    window.clearTimeout(this.retryTimer);
    this.open();
  };

  /** Sends a frame that expects no reply; false when there is no open socket. */
  send(frame: ClientFrame): boolean {
    if (this.ws === null || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame with a fresh id; resolves with its reply, rejects on an `error` reply, a drop or a timeout. */
  request<T extends ServerFrame>(frame: ClientFrame, timeoutMs = 15_000): Promise<T> {
    if (this.ws === null || this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new ProtocolError('unavailable', 'not connected'));
    if (this.waiters.size >= MAX_IN_FLIGHT) return Promise.reject(new ProtocolError('rate_limited', 'too many requests in flight'));
    const id = `c${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.waiters.delete(id);
        reject(new ProtocolError('timeout', 'no reply in time'));
      }, timeoutMs);
      this.waiters.set(id, { resolve: resolve as (f: ServerFrame) => void, reject, timer });
      this.ws?.send(JSON.stringify({ ...frame, id }));
    });
  }

  private setState(s: ConnState): void {
    this.current = s;
    this.on.state(s);
  }

  private open(): void {
    this.setState({ kind: 'connecting' });
    let opened = false;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      this.openedAt = Date.now();
      this.setState({ kind: 'online' });
      this.on.opened();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(ev.data) as ServerFrame;
      } catch {
        return;
      }
      const id = 'id' in frame ? frame.id : undefined;
      const waiter = id === undefined ? undefined : this.waiters.get(id);
      if (waiter !== undefined && id !== undefined) {
        this.waiters.delete(id);
        window.clearTimeout(waiter.timer);
        if (frame.type === 'error') waiter.reject(new ProtocolError(frame.code, frame.message, frame.retryAfterMs, frame.reason));
        else waiter.resolve(frame);
        return;
      }
      this.on.frame(frame);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws === ws) this.dropped(ws, opened, ev.code);
    };
  }

  /** The socket is gone (closed, or silent past the heartbeat): fail what waits on it and come back. */
  private dropped(ws: WebSocket, opened: boolean, code: number): void {
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    this.failAll(new ProtocolError('unavailable', 'connection lost'));
    if (code === TOKEN_REVOKED) {
      this.setState({ kind: 'stopped' });
      this.on.unauthorized();
      return;
    }
    // Back-off starts over only after a socket that stayed up, not one the server keeps closing
    // (nor one closed for misbehaving: coming straight back would only repeat it).
    if (opened && code !== POLICY_VIOLATION && Date.now() - this.openedAt > STABLE_MS) this.attempt = 0;
    // A refused upgrade (bad token) looks like any other failure to a browser: ask over HTTP before trying again.
    if (!opened) void this.afterFailure();
    else this.scheduleRetry();
  }

  private async afterFailure(): Promise<void> {
    const verdict = await this.checkToken();
    if (this.current.kind === 'stopped') return;
    if (verdict === 'unauthorized') {
      this.on.unauthorized();
      return;
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.current.kind === 'stopped') return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.attempt = Math.min(this.attempt + 1, 16);
    this.setState({ kind: 'waiting', retryAt: Date.now() + delay });
    this.retryTimer = window.setTimeout(() => this.open(), delay);
  }

  private beat(): void {
    if (this.current.kind !== 'online') return;
    const ws = this.ws;
    this.request({ type: 'ping' }, HEARTBEAT_TIMEOUT_MS).catch(() => {
      // No pong: the network is gone without a close, which may take minutes to
      // surface. Give the socket up now rather than wait for its close event.
      if (ws === null || this.ws !== ws) return;
      ws.close(4000, 'heartbeat timeout');
      this.dropped(ws, true, 4000);
    });
  }

  private failAll(err: Error): void {
    for (const w of this.waiters.values()) {
      window.clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters.clear();
  }
}
