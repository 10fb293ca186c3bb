import { topicRoom, type CommitWatch } from '../chat/ports.js';

/** The user's rooms as the membership cache knows them now. */
type RoomsOf = (user: number) => ReadonlySet<number>;

/** A device's last answer; a user's devices are chained (most users have one), so no key is made per poll. */
interface Answered { readonly device: string | undefined; token: string; at: number; rooms: number; next: Answered | undefined }

/** Records kept per user, newest first: a device past them (a bot that signs in afresh on every run) only goes without the shortcut. */
const KEPT_PER_USER = 16;

/**
 * The `next_batch` each device was last answered, and whether anything was
 * told for its user since. A client re-polls with the token it was just
 * given; when no commit has been told for the user or any of their rooms
 * since that answer, a read would find nothing, so the poll is held without
 * one — as if the previous poll had stayed held. Commits visible to a read
 * but not yet told wake the poll when they are told, as they would a held
 * one. Told commits move a clock; a device's record keeps the clock of its
 * answer and how many rooms the user had (a room left is noticed by the
 * count, a room joined by its own commit). One record per device that
 * synced since the process started, at most 16 per user: ~100 bytes each.
 */
export class LastAnswers implements CommitWatch {
  private clock = 0;
  /** A topic that is not a room's: nobody's record holds past it. */
  private everyone = 0;
  private readonly rooms = new Map<number, number>();
  private readonly users = new Map<number, number>();
  /** By user: the first of the user's devices' records. */
  private readonly devices = new Map<number, Answered>();

  constructor(private readonly roomsOf: RoomsOf) {}

  topic(topic: string): void {
    const room = topicRoom(topic);
    if (room === undefined) this.everyone = ++this.clock;
    else this.rooms.set(room, ++this.clock);
  }

  user(user: number): void {
    this.users.set(user, ++this.clock);
  }

  /** `token` was answered to the device now: it holds everything told so far. */
  answered(user: number, device: string | undefined, token: string): void {
    const rooms = this.roomsOf(user).size;
    const a = this.find(user, device);
    if (a === undefined) {
      const head: Answered = { device, token, at: this.clock, rooms, next: this.devices.get(user) };
      this.devices.set(user, head);
      let last = head;
      for (let i = 1; i < KEPT_PER_USER && last.next !== undefined; i++) last = last.next;
      last.next = undefined;
      return;
    }
    a.token = token;
    a.at = this.clock;
    a.rooms = rooms;
  }

  /** True when `since` is the device's last answer and nothing was told for its user or their rooms after it. */
  unchanged(user: number, device: string | undefined, since: string): boolean {
    const a = this.find(user, device);
    if (a === undefined || a.token !== since || this.everyone > a.at || (this.users.get(user) ?? 0) > a.at) return false;
    const rooms = this.roomsOf(user);
    if (rooms.size !== a.rooms) return false;
    for (const room of rooms) if ((this.rooms.get(room) ?? 0) > a.at) return false;
    return true;
  }

  private find(user: number, device: string | undefined): Answered | undefined {
    for (let a = this.devices.get(user); a !== undefined; a = a.next) if (a.device === device) return a;
    return undefined;
  }
}
