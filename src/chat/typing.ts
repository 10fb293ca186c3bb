/**
 * Who is typing where, for doors that report it as a state (Matrix's
 * `m.typing` lists the typers of a room) rather than as a passing notice.
 * Both doors feed it; an entry lapses on its own after its timeout, and a
 * lapse is a change like any other (one timer, for the earliest lapse, tells
 * it: a client would otherwise show someone typing until the next change).
 * Each change bumps a counter, so a client can be told only what changed
 * since it last asked.
 */
export class TypingState {
  private readonly rooms = new Map<number, Map<number, number>>();
  private readonly serials = new Map<number, number>();
  private counter = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly onChange: (room: number) => void = () => undefined,
    /** Told when telling a lapse failed (it runs on a timer: nobody else would hear of it). */
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks `user` typing in `room` until `until` (ms), or stops it. */
  set(room: number, user: number, typing: boolean, until: number): void {
    let users = this.rooms.get(room);
    if (typing) {
      if (users === undefined) this.rooms.set(room, (users = new Map()));
      const known = users.has(user);
      users.set(user, until);
      this.lapseAt(until);
      if (known) return;
    } else if (users === undefined || !users.delete(user)) return;
    else if (users.size === 0) this.rooms.delete(room);
    this.serials.set(room, ++this.counter);
    this.onChange(room);
  }

  /** The users typing in `room` now. Lapsed entries are left to the sweep, which tells their lapse: dropped here, nobody would hear of it. */
  typers(room: number, now: number): number[] {
    const users = this.rooms.get(room);
    if (users === undefined) return [];
    const out: number[] = [];
    for (const [user, until] of users) if (until > now) out.push(user);
    return out;
  }

  /** Arms the one timer for `at` when nothing lapses before it. */
  private lapseAt(at: number): void {
    if (at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.sweep, Math.max(0, at - this.now()));
    this.timer.unref();
  }

  /** Drops what lapsed, tells each room that changed, and waits for the next lapse. */
  private readonly sweep = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    let next = Infinity;
    const changed: number[] = [];
    for (const [room, users] of this.rooms) {
      const before = users.size;
      for (const [user, until] of users) {
        if (until <= now) users.delete(user);
        else next = Math.min(next, until);
      }
      if (users.size === before) continue;
      if (users.size === 0) this.rooms.delete(room);
      this.serials.set(room, ++this.counter);
      changed.push(room);
    }
    if (next !== Infinity) this.lapseAt(next);
    for (const room of changed) {
      try {
        this.onChange(room);
      } catch (err) {
        this.onError(err);
      }
    }
  };

  /** The counter when the room's typers last changed (0: never). */
  serial(room: number): number {
    return this.serials.get(room) ?? 0;
  }

  get current(): number {
    return this.counter;
  }
}
