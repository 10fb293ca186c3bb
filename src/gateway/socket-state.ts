import type { WebSocket } from '@based/uws';
import type { Peer } from '../chat/ports.js';
import { CLOSE_CODES, CLOSE_REASONS } from '../protocol/errors.js';
import type { SendBatch } from './send-batch.js';
import { FULL_BUCKET } from './token-bucket.js';

/**
 * What uWS keeps as the socket's user data. uWS copies own fields onto its
 * socket object (prototype methods are lost), so the state rides in a holder.
 */
export interface SocketData { state: SocketState }

/** The few numbers shared by every socket (one object, not one per socket). */
export interface SocketLimits {
  maxBackpressureBytes: number;
  /** Counts a frame sent to one socket (metrics); shared, so no per-socket closure. */
  onSent?: (frame: string) => void;
  /** Gathers sends made while commit results are delivered (one corked write per socket). */
  batch?: SendBatch;
  /** Tests only (ServerHooks.sendFault): may throw to stand for a socket that fails as a frame is sent to it. */
  fault?: (userId: number, frame: string) => void;
}

let nextConnectionId = 1;

/**
 * What a socket keeps of the token it was opened with: 28 bits of its hash, a
 * small integer V8 stores in the object itself (a 52-bit key took a 16-byte
 * heap number per socket). It only picks which of one user's sockets a logout
 * closes; two of a user's live tokens sharing 28 bits (odds 2^-28 per pair)
 * would close one socket too many, whose token still works, so it reconnects.
 */
export function tokenKey(tokenHashHex: string): number {
  return Number.parseInt(tokenHashHex.slice(0, 7), 16);
}

/**
 * Everything the server keeps per socket: identity and two token buckets.
 * Passed to `res.upgrade` inside a SocketData and read back with `ws.getUserData().state`.
 * Kept to plain fields (no objects of its own): it is paid once per connection.
 */
export class SocketState implements Peer {
  ws: WebSocket<SocketData> | null = null;
  closed = false;
  /** This socket said its user is away (`presence` frame). */
  away = false;
  /** Names this connection in log lines (a user may hold several). */
  readonly id = nextConnectionId++;
  /** Token buckets (see token-bucket.ts): frames per second, and bad frames before a 1008. */
  framesFullAt = FULL_BUCKET;
  strikesFullAt = FULL_BUCKET;
  /**
   * Until when (ms) the last frame refused for rate told the client to wait
   * (its `retryAfterMs`). A refused frame sent after it is a client pacing
   * itself, not a strike; one sent before it ignores the advice.
   */
  retryAt = 0;

  constructor(
    readonly userId: number,
    /** tokenKey() of the token's hash. */
    readonly tokenKey: number,
    /** Shared by the address's sockets (SocketRegistry.internIp). */
    readonly ip: string,
    private readonly limits: SocketLimits,
  ) {}

  /**
   * Set when uWS dropped a frame for this socket because more than
   * maxBackpressureBytes were queued for it: it has missed something and
   * will be closed with 1013, then reconnects and syncs.
   */
  lagging = false;

  /** Frames gathered by the SendBatch being delivered; null otherwise (the usual case). */
  batched: string[] | null = null;

  send(frame: string): void {
    if (this.ws === null || this.closed || this.lagging) return;
    this.limits.fault?.(this.userId, frame);
    if (this.limits.batch?.deferSend(this, frame) === true) return;
    this.sendNow(frame);
  }

  /** Writes what the batch gathered in one corked write. */
  flushBatched(): void {
    const frames = this.batched;
    this.batched = null;
    const ws = this.ws;
    if (frames === null || ws === null || this.closed) return;
    ws.cork(() => {
      for (const f of frames) this.sendNow(f);
    });
  }

  private sendNow(frame: string): void {
    const ws = this.ws;
    if (ws === null || this.closed || this.lagging) return;
    // Over the bound uWS drops the frame and calls the behaviour's `dropped`, which marks us lagging.
    ws.send(frame, false);
    this.limits.onSent?.(frame);
  }

  /**
   * From uWS's `drain`. The close frame itself goes through uWS's backpressure
   * check, so a lagging socket is closed once its queue is below the bound
   * again, and the client really receives 1013 (not a bare disconnect).
   */
  drained(): void {
    const ws = this.ws;
    if (!this.lagging || ws === null || this.closed) return;
    if (ws.getBufferedAmount() < this.limits.maxBackpressureBytes) this.end(CLOSE_CODES.try_again_later, CLOSE_REASONS.try_again_later);
  }

  publishOthers(topic: string, frame: string): void {
    if (this.ws !== null && !this.closed) this.ws.publish(topic, frame, false);
  }

  /** Cuts a connection that cannot even take a close frame (its reader stopped reading). */
  cut(): void {
    if (this.ws === null || this.closed) return;
    this.closed = true;
    this.ws.close();
  }

  end(code: number, reason: string): void {
    if (this.ws === null || this.closed) return;
    this.closed = true;
    this.ws.end(code, reason);
  }
}
