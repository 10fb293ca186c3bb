/**
 * Who is typing where, for doors that report it as a state (Matrix's
 * `m.typing` lists the typers of a room) rather than as a passing notice.
 * Both doors feed it; an entry lapses on its own after its timeout. Each
 * change bumps a counter, so a client can be told only what changed since
 * it last asked.
 */
export class TypingState {
  private readonly rooms = new Map<number, Map<number, number>>();
  private readonly serials = new Map<number, number>();
  private counter = 0;

  constructor(private readonly onChange: (room: number) => void = () => undefined) {}

  /** Marks `user` typing in `room` until `until` (ms), or stops it. */
  set(room: number, user: number, typing: boolean, until: number): void {
    let users = this.rooms.get(room);
    if (typing) {
      if (users === undefined) this.rooms.set(room, (users = new Map()));
      const known = users.has(user);
      users.set(user, until);
      if (known) return;
    } else if (users === undefined || !users.delete(user)) return;
    else if (users.size === 0) this.rooms.delete(room);
    this.serials.set(room, ++this.counter);
    this.onChange(room);
  }

  /** The users typing in `room` now (lapsed entries are dropped as they are found). */
  typers(room: number, now: number): number[] {
    const users = this.rooms.get(room);
    if (users === undefined) return [];
    const out: number[] = [];
    for (const [user, until] of users) {
      if (until > now) out.push(user);
      else {
        users.delete(user);
        this.serials.set(room, ++this.counter);
      }
    }
    if (users.size === 0) this.rooms.delete(room);
    return out;
  }

  /** The counter when the room's typers last changed (0: never). */
  serial(room: number): number {
    return this.serials.get(room) ?? 0;
  }

  get current(): number {
    return this.counter;
  }
}
