import { roomTopic, userTopic } from '../chat/ports.js';
import type { SocketState } from './socket-state.js';

/**
 * Which sockets each user and each client address holds: needed to enforce
 * the per-user and per-address limits, to (un)subscribe a user's sockets when
 * membership changes, and to close them when a token is revoked.
 */
export class SocketRegistry {
  private readonly byUser = new Map<number, Set<SocketState>>();
  private readonly byIp = new Map<string, number>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  /** Users with at least one open socket. */
  get users(): number {
    return this.byUser.size;
  }

  countForUser(user: number): number {
    return this.byUser.get(user)?.size ?? 0;
  }

  countForIp(ip: string): number {
    return this.byIp.get(ip) ?? 0;
  }

  /** Every open socket; the caller must not add or remove while iterating. */
  *all(): IterableIterator<SocketState> {
    for (const set of this.byUser.values()) yield* set;
  }

  add(s: SocketState): void {
    const set = this.byUser.get(s.userId) ?? new Set<SocketState>();
    set.add(s);
    this.byUser.set(s.userId, set);
    this.byIp.set(s.ip, (this.byIp.get(s.ip) ?? 0) + 1);
    this.total += 1;
  }

  remove(s: SocketState): void {
    const set = this.byUser.get(s.userId);
    if (set === undefined || !set.delete(s)) return;
    if (set.size === 0) this.byUser.delete(s.userId);
    const n = (this.byIp.get(s.ip) ?? 1) - 1;
    if (n <= 0) this.byIp.delete(s.ip);
    else this.byIp.set(s.ip, n);
    this.total -= 1;
  }

  subscribe(user: number, room: number): void {
    for (const s of this.byUser.get(user) ?? []) if (!s.closed) s.ws?.subscribe(roomTopic(room));
  }

  unsubscribe(user: number, room: number): void {
    for (const s of this.byUser.get(user) ?? []) if (!s.closed) s.ws?.unsubscribe(roomTopic(room));
  }

  /** Closes every socket of a user, or only those opened with one token. */
  closeUser(user: number, code: number, reason: string, tokenHash?: string): number {
    let n = 0;
    for (const s of [...(this.byUser.get(user) ?? [])]) {
      if (tokenHash !== undefined && s.tokenHash !== tokenHash) continue;
      s.end(code, reason);
      n += 1;
    }
    return n;
  }

  closeAll(code: number, reason: string): void {
    for (const set of [...this.byUser.values()]) for (const s of [...set]) s.end(code, reason);
  }

  static topicsFor(user: number, rooms: Iterable<number>): string[] {
    const topics = [userTopic(user)];
    for (const r of rooms) topics.push(roomTopic(r));
    return topics;
  }
}
