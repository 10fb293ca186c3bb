import type { SocketState } from './socket-state.js';

/**
 * Gathers what one batch of commit results sends, then writes it.
 *
 * Outside a uWS callback every ws.send is its own write() syscall; a batch
 * of a thousand acks to a hundred senders was a thousand syscalls, the
 * largest single cost on the event loop. While a batch is delivered, sends
 * are queued on their socket and publishes in order; afterwards each socket
 * gets its frames in one corked write, and then the publishes go out — so
 * a sender still sees its ack before its own `message`. Everything queued is
 * written before run() returns: nothing waits across ticks.
 */
export class SendBatch {
  private active = false;
  private sockets: SocketState[] = [];
  private publishes: string[] = [];

  constructor(
    private readonly publish: (topic: string, frame: string) => void,
    /** Told of a socket's write or a publish that threw; the others still go out. */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  run(fn: () => void): void {
    if (this.active) return fn();
    this.active = true;
    try {
      fn();
    } finally {
      this.active = false;
      this.flush();
    }
  }

  /** True when the frame was queued for the end of the batch. */
  deferSend(s: SocketState, frame: string): boolean {
    if (!this.active) return false;
    if (s.batched === null) {
      s.batched = [];
      this.sockets.push(s);
    }
    s.batched.push(frame);
    return true;
  }

  /** True when the publish was queued for the end of the batch. */
  deferPublish(topic: string, frame: string): boolean {
    if (!this.active) return false;
    this.publishes.push(topic, frame);
    return true;
  }

  private flush(): void {
    const sockets = this.sockets;
    const publishes = this.publishes;
    this.sockets = [];
    this.publishes = [];
    // Each socket's write and each publish is its own failure domain: one that throws
    // must not cost the sockets after it their acks, nor the room its message.
    for (const s of sockets) {
      try {
        s.flushBatched();
      } catch (err) {
        this.onError(err);
      }
    }
    for (let i = 0; i < publishes.length; i += 2) {
      try {
        this.publish(publishes[i] as string, publishes[i + 1] as string);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
