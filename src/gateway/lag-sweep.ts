import type { SocketRegistry } from './socket-registry.js';
import type { SocketState } from './socket-state.js';

/**
 * Finds sockets that fell behind. Past maxBackpressure uWS silently drops
 * frames it publishes to a socket (this build calls no handler for publish
 * drops), so a reader that stopped reading would miss messages and never
 * know. One timer for the whole server checks each socket's queued bytes:
 *  - near the bound: the socket is lagging; it is closed with 1013 as soon as
 *    the close frame fits (now, or from `drain`), then reconnects and syncs;
 *  - over the bound for STALLED_SWEEPS sweeps in a row with its queue never
 *    shrinking: it is not reading at all, and no close frame can reach it;
 *    the connection is cut. A client that reads, however slowly (a phone on
 *    a busy Wi-Fi, a loaded machine), is never cut: it gets its 1013 once
 *    the close frame fits (CI saw readers cut with 1006 when one interval
 *    was all they had).
 */
/** Sweeps (one a second in the server) a lagging socket may read nothing before it is cut. */
export const STALLED_SWEEPS = 5;

export class LagSweeper {
  private timer: NodeJS.Timeout | null = null;
  /** Lagging sockets some sweep has seen: their queue then, and sweeps since it last shrank. Weak: closed ones need no clean-up. */
  private readonly stalls = new WeakMap<SocketState, { queued: number; sweeps: number }>();

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
        this.stalls.set(s, { queued, sweeps: 0 });
        this.onLagging(s);
        s.drained();
        acted += 1;
        continue;
      }
      const stall = this.stalls.get(s);
      if (stall === undefined || queued < this.maxBackpressureBytes || queued < stall.queued) {
        // First seen here (uWS's `dropped` marked it), or reading: its 1013 goes as soon as it fits.
        this.stalls.set(s, { queued, sweeps: 0 });
        s.drained();
      } else if (++stall.sweeps >= STALLED_SWEEPS) {
        s.cut();
        acted += 1;
      }
    }
    return acted;
  }
}

