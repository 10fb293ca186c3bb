import type { SocketRegistry } from './socket-registry.js';
import type { SocketState } from './socket-state.js';

/**
 * Finds sockets that fell behind. Past maxBackpressure uWS silently drops
 * frames it publishes to a socket (this build calls no handler for publish
 * drops), so a reader that stopped reading would miss messages and never
 * know. One timer for the whole server checks each socket's queued bytes:
 *  - near the bound: the socket is lagging; it is closed with 1013 as soon as
 *    the close frame fits (now, or from `drain`), then reconnects and syncs;
 *  - still over the bound at the next sweep: it is not reading at all, and
 *    no close frame can reach it; the connection is cut. A socket that uWS's
 *    `dropped` marked between two sweeps is first only noted, so it always
 *    gets one whole interval to read before it can be cut (CI saw a reader
 *    cut with 1006 moments after it was marked, then resumed reading).
 */
export class LagSweeper {
  private timer: NodeJS.Timeout | null = null;
  /** Lagging sockets some sweep has already seen; weak, so closed ones need no clean-up. */
  private readonly seen = new WeakSet<SocketState>();

  constructor(
    private readonly sockets: SocketRegistry,
    private readonly maxBackpressureBytes: number,
    private readonly onLagging: (s: SocketState) => void,
  ) {}

  /** Bytes below the bound at which a socket counts as lagging: room for one more typical frame. */
  get threshold(): number {
    return this.maxBackpressureBytes - Math.min(64 * 1024, Math.floor(this.maxBackpressureBytes / 4));
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.sweep(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Returns how many sockets were found lagging or cut in this pass. */
  sweep(): number {
    let acted = 0;
    const threshold = this.threshold;
    for (const s of this.sockets.all()) {
      const ws = s.ws;
      if (ws === null || s.closed) continue;
      const queued = ws.getBufferedAmount();
      if (!s.lagging) {
        if (queued < threshold) continue;
        s.lagging = true;
        this.seen.add(s);
        this.onLagging(s);
        s.drained();
        acted += 1;
      } else if (!this.seen.has(s)) {
        this.seen.add(s);
        s.drained();
      } else if (queued >= this.maxBackpressureBytes) {
        s.cut();
        acted += 1;
      } else {
        s.drained();
      }
    }
    return acted;
  }
}

