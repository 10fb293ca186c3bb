import type { SendPacer } from './send-pacer.js';

/** How one attempt to send a pending message ended. */
export type Delivery =
  | { kind: 'done' } // acked, failed for good (the user retries), or no longer pending
  | { kind: 'offline' } // the socket dropped: send again after the next catch-up
  | { kind: 'refused'; retryAfterMs: number }; // rate_limited: send again after the advised wait

/** Wait after a `rate_limited` that did not say how long (an older server). */
const FALLBACK_RETRY_MS = 1000;

export interface OutboxDeps {
  pacer: SendPacer;
  /** Sends one pending message (with its clientMsgId, so a resend is safe) and says how it ended. */
  deliver(room: string, clientMsgId: string): Promise<Delivery>;
}

interface Item { room: string; clientMsgId: string }

/**
 * The messages waiting to be sent (typed offline, pasted in bulk, or sent
 * while others still wait), drained in order: at most one send in flight per
 * room, so a room's messages are stored in the order they were written even
 * when one is refused and resent; paced under the server's frame rate; after
 * a `rate_limited`, nothing is sent until the advised `retryAfterMs` has
 * passed. Closed while the socket is down or catching up (sends made then
 * wait), opened once the catch-up is done.
 */
export class Outbox {
  private readonly queue: Item[] = [];
  /** clientMsgIds queued or in flight: a message is never queued twice. */
  private readonly known = new Set<string>();
  private readonly busyRooms = new Set<string>();
  private isOpen = false;
  private notBefore = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: OutboxDeps) {}

  get size(): number {
    return this.known.size;
  }

  push(room: string, clientMsgId: string): void {
    if (this.known.has(clientMsgId)) return;
    this.known.add(clientMsgId);
    this.queue.push({ room, clientMsgId });
    this.pump();
  }

  /** The socket is ready for sends again (the catch-up after a connect is done). */
  open(): void {
    this.isOpen = true;
    this.pump();
  }

  /** The socket is gone: send nothing until open() again. */
  close(): void {
    this.isOpen = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (!this.isOpen || this.timer !== undefined) return;
    for (let i = 0; i < this.queue.length; i++) {
      const item = this.queue[i];
      if (item === undefined || this.busyRooms.has(item.room)) continue;
      const now = Date.now();
      const wait = this.notBefore > now ? this.notBefore - now : this.deps.pacer.take(now);
      if (wait > 0) return this.later(wait);
      this.queue.splice(i--, 1);
      this.busyRooms.add(item.room);
      void this.deps.deliver(item.room, item.clientMsgId).then(
        (d) => this.settled(item, d),
        () => this.settled(item, { kind: 'done' }),
      );
    }
  }

  private settled(item: Item, d: Delivery): void {
    this.busyRooms.delete(item.room);
    if (d.kind === 'done') {
      this.known.delete(item.clientMsgId);
    } else {
      // Back to the head of the line: the room sends nothing else before it (it had only this one in flight).
      this.queue.unshift(item);
      // Offline: nothing more until the next catch-up opens the outbox again.
      if (d.kind === 'offline') this.close();
      if (d.kind === 'refused') this.notBefore = Math.max(this.notBefore, Date.now() + (d.retryAfterMs > 0 ? d.retryAfterMs : FALLBACK_RETRY_MS));
    }
    this.pump();
  }

  private later(ms: number): void {
    // Plain setTimeout (not window's), so the queue also runs under Node in tests.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, ms);
  }
}
