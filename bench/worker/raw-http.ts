/**
 * One HTTP/1.1 keep-alive connection that sends one GET at a time and reads
 * answers framed by Content-Length (what uWS sends for a whole body). The
 * bench's Matrix clients use it instead of node:http, whose per-request
 * streams and objects cost the load generator more CPU than the server spent
 * answering: with 5,000 clients the one generator process was the limit.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer { status: number; body: string }
export type RawDone = (err: (Error & { code?: string }) | null, answer?: RawAnswer) => void;

const HEADER_END = Buffer.from('\r\n\r\n');

export class RawHttpConnection {
  private socket: Socket | null = null;
  private pending: Buffer = Buffer.alloc(0);
  private done: RawDone | null = null;

  constructor(private readonly o: { host: string; port: number; localAddress?: string }) {}

  /** Sends `GET path` with `headers` (each `Name: value`); `done` once, with the answer, an error, or a `timeout` error. */
  get(path: string, headers: readonly string[], timeoutMs: number, done: RawDone): void {
    if (this.done !== null) return done(new Error('a request is already in flight'));
    this.done = done;
    const socket = this.socket ?? this.open();
    socket.setTimeout(timeoutMs);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.o.host}:${this.o.port}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`);
  }

  destroy(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    const socket = connect({ host: this.o.host, port: this.o.port, ...(this.o.localAddress === undefined ? {} : { localAddress: this.o.localAddress }) });
    socket.setNoDelay(true);
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('timeout', () => this.fail(socket, Object.assign(new Error('timeout'), { code: 'timeout' })));
    socket.on('error', (err: Error & { code?: string }) => this.fail(socket, err));
    socket.on('close', () => this.fail(socket, Object.assign(new Error('closed'), { code: 'closed' })));
    return socket;
  }

  private read(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const headEnd = this.pending.indexOf(HEADER_END);
    if (headEnd === -1) return;
    const head = this.pending.subarray(0, headEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *([0-9]+)/i.exec(head);
    if (length === null) {
      const socket = this.socket;
      if (socket !== null) this.fail(socket, Object.assign(new Error('no content-length'), { code: 'unframed' }));
      return;
    }
    const end = headEnd + HEADER_END.length + Number(length[1]);
    if (this.pending.length < end) return;
    const body = this.pending.subarray(headEnd + HEADER_END.length, end).toString('utf8');
    this.pending = this.pending.subarray(end);
    this.socket?.setTimeout(0);
    const done = this.done;
    this.done = null;
    done?.(null, { status, body });
  }

  /** The connection is unusable: the request in flight (if any) fails, and the next one opens a new connection. */
  private fail(socket: Socket, err: Error & { code?: string }): void {
    if (this.socket === socket) {
      this.socket = null;
      socket.destroy();
    }
    const done = this.done;
    this.done = null;
    done?.(err);
  }
}
