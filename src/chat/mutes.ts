/**
 * Which members muted which rooms, in memory (the store's members.muted is the
 * truth; this is loaded at start and kept current by the `notify` frame). A
 * muted room's live frames are not pushed to the member's sockets: they are
 * not subscribed to its topic. A message that mentions them still is.
 */
export class Mutes {
  private readonly byRoom = new Map<number, Set<number>>();

  static from(rows: Iterable<{ room_id: number; user_id: number }>): Mutes {
    const m = new Mutes();
    for (const r of rows) m.set(r.room_id, r.user_id, true);
    return m;
  }

  isMuted(room: number, user: number): boolean {
    return this.byRoom.get(room)?.has(user) ?? false;
  }

  /** True when it changed. */
  set(room: number, user: number, muted: boolean): boolean {
    const users = this.byRoom.get(room);
    if (muted) {
      if (users?.has(user) === true) return false;
      if (users === undefined) this.byRoom.set(room, new Set([user]));
      else users.add(user);
      return true;
    }
    if (users === undefined || !users.delete(user)) return false;
    if (users.size === 0) this.byRoom.delete(room);
    return true;
  }

  /**
   * Of the members a frame mentions, those who muted the room (so are not on
   * its topic) and must get it directly; the author is never one of them.
   */
  *mentionedWhoMuted(room: number, author: number, mentioned: readonly number[] | undefined): Iterable<number> {
    for (const m of mentioned ?? []) if (m !== author && this.isMuted(room, m)) yield m;
  }

  /** The rooms whose live frames a user's new socket subscribes to. */
  *audible(user: number, rooms: Iterable<number>): Iterable<number> {
    for (const r of rooms) if (!this.isMuted(r, user)) yield r;
  }
}
