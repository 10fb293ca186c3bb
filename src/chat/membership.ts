/**
 * Who is in which room, in memory, for the checks every frame makes. The
 * store is the truth (the writer checks again inside its transaction); this
 * cache is kept current from the server's own changes and the events feed.
 */
export class Membership {
  private readonly byRoom = new Map<number, Set<number>>();
  private readonly byUser = new Map<number, Set<number>>();

  static from(rows: Iterable<{ room_id: number; user_id: number }>): Membership {
    const m = new Membership();
    for (const r of rows) m.add(r.room_id, r.user_id);
    return m;
  }

  isMember(room: number, user: number): boolean {
    return this.byRoom.get(room)?.has(user) ?? false;
  }

  roomsOf(user: number): ReadonlySet<number> {
    return this.byUser.get(user) ?? EMPTY;
  }

  membersOf(room: number): ReadonlySet<number> {
    return this.byRoom.get(room) ?? EMPTY;
  }

  /** True when it was not a member before. */
  add(room: number, user: number): boolean {
    const members = this.byRoom.get(room) ?? new Set<number>();
    if (members.has(user)) return false;
    members.add(user);
    this.byRoom.set(room, members);
    const rooms = this.byUser.get(user) ?? new Set<number>();
    rooms.add(room);
    this.byUser.set(user, rooms);
    return true;
  }

  /** True when it was a member before. */
  remove(room: number, user: number): boolean {
    const members = this.byRoom.get(room);
    if (members === undefined || !members.delete(user)) return false;
    if (members.size === 0) this.byRoom.delete(room);
    const rooms = this.byUser.get(user);
    rooms?.delete(room);
    if (rooms !== undefined && rooms.size === 0) this.byUser.delete(user);
    return true;
  }
}

const EMPTY: ReadonlySet<number> = new Set<number>();
