import { roomTopic } from '../chat/ports.js';
import type { SocketState } from './socket-state.js';

/**
 * A user's open sockets. Most users hold one, so that one is stored as is
 * (no Set per user); a Set appears at the second socket and goes again when
 * the user is back to one.
 */
type UserSockets = SocketState | Set<SocketState>;

/** Sockets from one client address, and the address string they all share. */
interface IpEntry { ip: string; sockets: number }

const NONE: readonly SocketState[] = [];

/**
 * Which sockets each user and each client address holds: needed to enforce
 * the per-user and per-address limits, to (un)subscribe a user's sockets when
 * membership changes, to send a user's own events (there is no topic per
 * user: a uWS topic per socket costs more than these rare loops), and to
 * close them when a token is revoked.
 */
export class SocketRegistry {
  private readonly byUser = new Map<number, UserSockets>();
  private readonly byIp = new Map<string, IpEntry>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  /** Users with at least one open socket. */
  get users(): number {
    return this.byUser.size;
  }

  countForUser(user: number): number {
    const u = this.byUser.get(user);
    return u === undefined ? 0 : u instanceof Set ? u.size : 1;
  }

  countForIp(ip: string): number {
    return this.byIp.get(ip)?.sockets ?? 0;
  }

  /**
   * The address string already held for `ip` when it has open sockets, else
   * `ip`: sockets from one address (an office behind NAT) share one string
   * instead of a copy each.
   */
  internIp(ip: string): string {
    return this.byIp.get(ip)?.ip ?? ip;
  }

  /** A user's open sockets; the caller must not add or remove while iterating. */
  socketsOf(user: number): Iterable<SocketState> {
    const u = this.byUser.get(user);
    return u === undefined ? NONE : u instanceof Set ? u : [u];
  }

  /** Every open socket; the caller must not add or remove while iterating. */
  *all(): IterableIterator<SocketState> {
    for (const u of this.byUser.values()) {
      if (u instanceof Set) yield* u;
      else yield u;
    }
  }

  add(s: SocketState): void {
    const u = this.byUser.get(s.userId);
    if (u === undefined) this.byUser.set(s.userId, s);
    else if (u instanceof Set) {
      if (u.has(s)) return;
      u.add(s);
    } else if (u !== s) this.byUser.set(s.userId, new Set([u, s]));
    else return;
    const ip = this.byIp.get(s.ip);
    if (ip === undefined) this.byIp.set(s.ip, { ip: s.ip, sockets: 1 });
    else ip.sockets += 1;
    this.total += 1;
  }

  remove(s: SocketState): void {
    const u = this.byUser.get(s.userId);
    if (u === s) this.byUser.delete(s.userId);
    else if (u instanceof Set && u.delete(s)) {
      // Back to one socket: drop the Set (a user who opened a second tab once should not keep it).
      if (u.size === 1) for (const last of u) this.byUser.set(s.userId, last);
    } else return;
    const ip = this.byIp.get(s.ip);
    if (ip !== undefined && --ip.sockets <= 0) this.byIp.delete(s.ip);
    this.total -= 1;
  }

  subscribe(user: number, room: number): void {
    for (const s of this.socketsOf(user)) if (!s.closed) s.ws?.subscribe(roomTopic(room));
  }

  unsubscribe(user: number, room: number): void {
    for (const s of this.socketsOf(user)) if (!s.closed) s.ws?.unsubscribe(roomTopic(room));
  }

  /** Sends a frame to every socket of one user (their own events: rare, a few sockets each). */
  sendToUser(user: number, frame: string): void {
    for (const s of this.socketsOf(user)) s.send(frame);
  }

  /** Closes every socket of a user, or only those opened with one token (see SocketState.tokenKey). */
  closeUser(user: number, code: number, reason: string, tokenKey?: number): number {
    let n = 0;
    for (const s of [...this.socketsOf(user)]) {
      if (tokenKey !== undefined && s.tokenKey !== tokenKey) continue;
      s.end(code, reason);
      n += 1;
    }
    return n;
  }

  closeAll(code: number, reason: string): void {
    for (const s of [...this.all()]) s.end(code, reason);
  }

  static topicsFor(rooms: Iterable<number>): string[] {
    const topics: string[] = [];
    for (const r of rooms) topics.push(roomTopic(r));
    return topics;
  }
}
