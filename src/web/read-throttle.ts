/** How often a room's read marker goes to the server at most. */
export const READ_INTERVAL_MS = 1_000;

export type Timer = (run: () => void, ms: number) => void;

/**
 * Read markers leave the client at most once per interval (the newest seq of
 * each room then). A user watching a busy room reads message by message; sent
 * as they come, every member would cost the server a frame, a write and a
 * receipt per message. The first read goes at once, later ones within the
 * interval wait for its end; one timer for all rooms, armed only while reads
 * wait. A read the socket could not take (offline) stays and goes next time.
 */
export class ReadThrottle {
  private readonly unsent = new Map<string, number>();
  private armed = false;

  constructor(
    private readonly send: (room: string, seq: number) => boolean,
    private readonly timer: Timer = (run, ms) => void setTimeout(run, ms),
    private readonly intervalMs = READ_INTERVAL_MS,
  ) {}

  read(room: string, seq: number): void {
    if (seq <= (this.unsent.get(room) ?? 0)) return;
    this.unsent.set(room, seq);
    if (!this.armed) this.flush();
  }

  /** Sends what waits now (after a reconnect, say), and starts a new interval. */
  flush(): void {
    this.armed = false;
    if (this.unsent.size === 0) return;
    for (const [room, seq] of this.unsent) if (this.send(room, seq)) this.unsent.delete(room);
    this.armed = true;
    this.timer(() => this.flush(), this.intervalMs);
  }
}
