/**
 * A WebSocket test client (the `ws` package) that records every frame and
 * can wait for a reply by id or for the next frame matching a predicate.
 * Every wait is bounded in time.
 */
import WebSocket from 'ws';
import { within } from './deadline.js';

export type Frame = Record<string, unknown> & { type: string };

export interface Closed { code: number; reason: string }

export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  private waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private seen = 0;
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      const w = this.waiters.findIndex((x) => x.match(frame));
      if (w !== -1) {
        const [waiter] = this.waiters.splice(w, 1);
        waiter?.resolve(frame);
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static connect(url: string, token: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}`, ...headers } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends a frame with a fresh id and resolves with the reply carrying that id. */
  request(frame: Record<string, unknown>, timeoutMs = 20_000): Promise<Frame> {
    const id = `r${this.nextId++}`;
    const reply = this.next((f) => f.id === id, timeoutMs);
    this.send({ ...frame, id });
    return reply;
  }

  /** The next frame (received from now on, or already received and not yet waited for) matching `match`. */
  next(match: (f: Frame) => boolean, timeoutMs = 20_000): Promise<Frame> {
    for (let i = this.seen; i < this.frames.length; i++) {
      const f = this.frames[i];
      if (f !== undefined && match(f)) {
        this.seen = i + 1;
        return Promise.resolve(f);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (f: Frame): void => {
        clearTimeout(timer);
        this.seen = this.frames.length;
        resolve(f);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  close(): Promise<Closed> {
    this.socket.close();
    return this.closed;
  }

  /**
   * The close, or null if the socket is still open after `ms`. The timer ends
   * with the close: a long deadline that only catches a hang keeps neither the
   * test nor its process waiting once the close has come.
   */
  closedWithin(ms: number): Promise<Closed | null> {
    return within(this.closed, ms, () => null);
  }
}
