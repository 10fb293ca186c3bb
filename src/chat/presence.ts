import { encodeFrame, type PresenceEntry, type PresenceSnapshot, type PresenceState } from '../protocol/server-frames.js';
import type { Membership } from './membership.js';
import { roomTopic, type Fanout } from './ports.js';

export type { PresenceEntry, PresenceState };

export interface PresenceOptions {
  membership: Membership;
  /**
   * A user's open sockets, counted by whoever tracks them (the gateway's
   * SocketRegistry): already counting the socket `opened` reports, already
   * not counting the one `closed` reports. Asked, not mirrored: a second map
   * with an entry per online user costs ~50 bytes per connection.
   */
  socketCount: (user: number) => number;
  /** Presence only publishes to room topics. */
  fanout: Pick<Fanout, 'publish'>;
  /** Off: nothing is pushed (room snapshots still answer). */
  enabled: boolean;
  /** Rooms with more members than this get no pushes. */
  maxRoomSize: number;
  /** Last-seen times known from the store (users.last_seen_at) at start. */
  lastSeen?: Iterable<{ id: number; last_seen_at: number | null }>;
  /** A user's last socket closed: persist the time (a `seen` write). */
  onOffline?: (user: number, at: number) => void;
  now?: () => number;
}

/**
 * Who is online, derived from live sockets: a count of sockets per user and
 * how many of them said `away`. No timers: a socket that dies without a close
 * frame is closed by uWS's idle timeout, which ends here like any close.
 *
 * A change of a user's state is published to the topic of each of the user's
 * direct rooms and rooms of at most `maxRoomSize` members: one publish per
 * small room, the copies made by uWS in C++, no loop over members in JS
 * (measured: bench/presence-cost.ts). Someone sharing two small rooms with the
 * user hears it twice, which is harmless (the frame is a state, not an
 * event). Big rooms get nothing; their members ask for a snapshot instead
 * (`presence` frame with `room`).
 */
export class Presence {
  /** How many of a user's sockets said away; only users with at least one. */
  private readonly away = new Map<number, number>();
  private readonly seen = new Map<number, number>();
  private readonly now: () => number;
  private stopped = false;

  /** Everything but `lastSeen`: kept, the start-up rows (one object per user) would live as long as the server. */
  private readonly o: Omit<PresenceOptions, 'lastSeen'>;

  constructor({ lastSeen, ...o }: PresenceOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    for (const u of lastSeen ?? []) if (u.last_seen_at !== null) this.seen.set(u.id, u.last_seen_at);
  }

  stateOf(user: number): PresenceState {
    return stateFor(this.o.socketCount(user), this.away.get(user) ?? 0);
  }

  lastSeenOf(user: number): number | null {
    return this.o.socketCount(user) > 0 ? this.now() : (this.seen.get(user) ?? null);
  }

  /** A socket of `user` opened (it is already counted). */
  opened(user: number): void {
    this.changed(user, stateFor(this.o.socketCount(user) - 1, this.away.get(user) ?? 0));
  }

  /** A socket of `user` closed (it is no longer counted); `wasAway`: it had said away. */
  closed(user: number, wasAway: boolean): void {
    const sockets = this.o.socketCount(user);
    const away = this.away.get(user) ?? 0;
    const before = stateFor(sockets + 1, away);
    if (wasAway) this.addAway(user, -1);
    if (sockets === 0) {
      this.away.delete(user);
      const at = this.now();
      this.seen.set(user, at);
      this.o.onOffline?.(user, at);
    }
    this.changed(user, before);
  }

  /** One socket switched between online and away. */
  socketAway(user: number, away: boolean): void {
    if (this.o.socketCount(user) === 0) return;
    const before = this.stateOf(user);
    this.addAway(user, away ? 1 : -1);
    this.changed(user, before);
  }

  /** Stop pushing (shutdown closes every socket: nobody needs to hear of it). */
  stop(): void {
    this.stopped = true;
  }

  /** A room's presence: counts always; each member's entry only for rooms up to maxRoomSize. */
  snapshot(room: number): PresenceSnapshot {
    const members = this.o.membership.membersOf(room);
    let online = 0;
    let away = 0;
    const small = members.size <= this.o.maxRoomSize;
    const users: PresenceEntry[] = [];
    for (const m of members) {
      const state = this.stateOf(m);
      if (state === 'online') online++;
      else if (state === 'away') away++;
      if (small) users.push({ user: String(m), state, lastSeen: this.lastSeenOf(m) });
    }
    return small ? { online, away, users } : { online, away };
  }

  private addAway(user: number, delta: number): void {
    const n = (this.away.get(user) ?? 0) + delta;
    if (n > 0) this.away.set(user, n);
    else this.away.delete(user);
  }

  private changed(user: number, before: PresenceState): void {
    const state = this.stateOf(user);
    if (state === before || !this.o.enabled || this.stopped) return;
    const frame = encodeFrame({ type: 'presence', user: String(user), state, lastSeen: this.lastSeenOf(user) });
    for (const room of this.o.membership.roomsOf(user)) {
      if (this.o.membership.membersOf(room).size <= this.o.maxRoomSize) this.o.fanout.publish(roomTopic(room), frame);
    }
  }
}

function stateFor(sockets: number, away: number): PresenceState {
  if (sockets <= 0) return 'offline';
  return away >= sockets ? 'away' : 'online';
}
