import type { HistoryVisibility, RoomRole } from './policy.js';
import { firstReadableSeq } from './policy.js';

/** A joined member's role (a server admin counts as owner) and the room's last seq when they joined. */
export interface MemberDetail { role: RoomRole; joinedSeq: number }

export interface MembershipRow { room_id: number; user_id: number; role?: RoomRole; joined_seq?: number; history?: HistoryVisibility }

const PLAIN: MemberDetail = { role: 'member', joinedSeq: 0 };

/**
 * Who is in which room, in memory, for the checks every frame makes. The
 * store is the truth (the writer checks again inside its transaction); this
 * cache is kept current from the server's own changes and the events feed.
 */
export class Membership {
  private readonly byRoom = new Map<number, Set<number>>();
  private readonly byUser = new Map<number, Set<number>>();
  /** Role and joined seq per member; absent means a plain member who joined at 0. */
  private readonly details = new Map<number, Map<number, MemberDetail>>();
  /** Rooms whose members read only from their join on (history 'joined'); every other room is 'shared'. */
  private readonly fromJoin = new Set<number>();
  /** Per room, the clock at its last join, leave or role change: readers of the store's member list know when to read it again. */
  private readonly changedAt = new Map<number, number>();
  private clock = 0;

  static from(rows: Iterable<MembershipRow>): Membership {
    const m = new Membership();
    for (const r of rows) {
      m.add(r.room_id, r.user_id, r.role === undefined ? undefined : { role: r.role, joinedSeq: r.joined_seq ?? 0 });
      if (r.history !== undefined) m.setHistory(r.room_id, r.history);
    }
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

  /**
   * Changes with every join, leave and role change in the room this cache
   * hears of (each comes after the store's commit): a member list read from
   * the store at one version is still the room's while the version holds.
   */
  version(room: number): number {
    return this.changedAt.get(room) ?? 0;
  }

  /** The member's role, or undefined when not a member. */
  roleOf(room: number, user: number): RoomRole | undefined {
    if (!this.isMember(room, user)) return undefined;
    return this.details.get(room)?.get(user)?.role ?? PLAIN.role;
  }

  /** The first seq the member may read: 1, or the seq after their join in a `history: joined` room. */
  firstSeq(room: number, user: number): number {
    if (!this.fromJoin.has(room)) return 1;
    return firstReadableSeq('joined', this.details.get(room)?.get(user)?.joinedSeq ?? 0);
  }

  setHistory(room: number, history: HistoryVisibility): void {
    if (history === 'joined') this.fromJoin.add(room);
    else this.fromJoin.delete(room);
  }

  setRole(room: number, user: number, role: RoomRole): void {
    if (!this.isMember(room, user)) return;
    const d = this.details.get(room)?.get(user) ?? PLAIN;
    this.setDetail(room, user, { ...d, role });
  }

  /** True when it was not a member before. `detail` (when given) replaces what was known. */
  add(room: number, user: number, detail?: MemberDetail): boolean {
    if (detail !== undefined) this.setDetail(room, user, detail);
    const members = this.byRoom.get(room) ?? new Set<number>();
    if (members.has(user)) return false;
    this.changed(room);
    members.add(user);
    this.byRoom.set(room, members);
    const rooms = this.byUser.get(user) ?? new Set<number>();
    rooms.add(room);
    this.byUser.set(user, rooms);
    return true;
  }

  /** True when it was a member before. */
  remove(room: number, user: number): boolean {
    const d = this.details.get(room);
    if (d !== undefined) {
      d.delete(user);
      if (d.size === 0) this.details.delete(room);
    }
    const members = this.byRoom.get(room);
    if (members === undefined || !members.delete(user)) return false;
    this.changed(room);
    if (members.size === 0) this.byRoom.delete(room);
    const rooms = this.byUser.get(user);
    rooms?.delete(room);
    if (rooms !== undefined && rooms.size === 0) this.byUser.delete(user);
    return true;
  }

  private changed(room: number): void {
    this.changedAt.set(room, ++this.clock);
  }

  private setDetail(room: number, user: number, detail: MemberDetail): void {
    let d = this.details.get(room);
    const was = d?.get(user) ?? PLAIN;
    if (was.role === detail.role && was.joinedSeq === detail.joinedSeq) return;
    this.changed(room);
    if (detail.role === PLAIN.role && detail.joinedSeq === PLAIN.joinedSeq) {
      d?.delete(user);
      if (d !== undefined && d.size === 0) this.details.delete(room);
      return;
    }
    if (d === undefined) {
      d = new Map();
      this.details.set(room, d);
    }
    d.set(user, detail);
  }
}

const EMPTY: ReadonlySet<number> = new Set<number>();
