import type { Membership } from '../chat/membership.js';
import type { Mutes } from '../chat/mutes.js';
import { roomTopic, type Fanout } from '../chat/ports.js';
import { profileFrame, type ProfileSource } from '../chat/profiles.js';
import { roomFrame } from '../chat/room-actions.js';
import { CLOSE_CODES, CLOSE_REASONS } from '../protocol/errors.js';
import type { HistoryName, RoomRoleName } from '../protocol/frames.js';
import type { Logger } from '../log.js';
import type { SocketRegistry } from './socket-registry.js';

/** One row of the events feed: what a CLI command changed, and where. */
export interface FeedEvent { id: number; kind: string; room_id: number | null; user_id: number | null }

/** What the follower reads (the store's Reader implements it): the feed, and the rows an event points at. */
export interface EventsSource {
  latestEventId(): number;
  eventsSince(id: number): FeedEvent[];
  /** A joined member's row, or undefined when they are not joined. */
  membershipOf(room: number, user: number): { role: RoomRoleName; joined_seq: number; history: HistoryName } | undefined;
  /** The `message` frame of one stored timeline entry, or undefined once purged. */
  messageFrame(room: number, seq: number): string | undefined;
  membersOf(room: number): number[];
}

/**
 * Follows the store's `events` feed, where CLI commands record what they
 * changed while the server runs, and applies each change to the membership
 * cache and to live sockets: one indexed query per tick, one timer in all.
 */
export class EventsFollower {
  private lastId: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly reader: EventsSource,
    private readonly membership: Membership,
    private readonly sockets: SocketRegistry,
    private readonly fanout: Fanout,
    private readonly log: Logger,
    private readonly mutes?: Mutes,
    private readonly profiles?: ProfileSource,
    /** Told when a room's outgoing webhooks changed (the CLI or the admin thread wrote them). */
    private readonly integrationsChanged?: (room: number) => void,
    /** Told when a user was disabled or their tokens revoked: remembered sessions are read again. */
    private readonly tokensChanged?: () => void,
  ) {
    this.lastId = reader.latestEventId();
  }

  /** The last event id applied. */
  get applied(): number {
    return this.lastId;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Makes the cache say what the store says about one member, whatever the
   * event claimed: events can arrive after the server itself changed the same
   * membership, and an old event must not undo a newer change.
   */
  private mend(room: number, user: number): void {
    const row = this.reader.membershipOf(room, user);
    if (row !== undefined) {
      this.membership.setHistory(room, row.history);
      if (this.membership.add(room, user, { role: row.role, joinedSeq: row.joined_seq })) {
        this.sockets.subscribe(user, room);
        this.fanout.publish(roomTopic(room), roomFrame(room, 'joined', user));
      }
    } else if (this.membership.remove(room, user)) {
      // Unsubscribe first: the room topic tells the others, and the removed user
      // is told once, directly (publishing to both while subscribed told them twice).
      this.sockets.unsubscribe(user, room);
      // The membership row and its muted flag are gone: added again, the member starts unmuted.
      this.mutes?.set(room, user, false);
      const left = roomFrame(room, 'left', user);
      this.fanout.publish(roomTopic(room), left);
      this.fanout.toUser(user, left);
    }
  }

  poll(): void {
    const events = this.reader.eventsSince(this.lastId);
    for (const e of events) {
      this.lastId = e.id;
      const room = e.room_id ?? 0;
      const user = e.user_id ?? 0;
      switch (e.kind) {
        case 'member_added':
        case 'member_removed':
        case 'member_role':
          this.mend(room, user);
          break;
        case 'room_entry': {
          // user_id holds the entry's seq (store/admin/admin.ts).
          const message = this.reader.messageFrame(room, user);
          if (message !== undefined) this.fanout.publish(roomTopic(room), message);
          break;
        }
        case 'room_created':
          for (const member of this.reader.membersOf(room)) {
            this.fanout.toUser(member, roomFrame(room, 'created', member));
          }
          break;
        case 'profile_changed':
          this.pushProfile(user);
          break;
        case 'webhooks_changed':
        case 'assistant_changed':
          this.integrationsChanged?.(room);
          break;
        case 'user_disabled':
          // The account may be a hook's, a webhook's or the assistant's bot.
          this.integrationsChanged?.(room);
          this.tokensChanged?.();
          this.sockets.closeUser(user, CLOSE_CODES.token_revoked, CLOSE_REASONS.token_revoked);
          break;
        case 'tokens_revoked':
          this.tokensChanged?.();
          this.sockets.closeUser(user, CLOSE_CODES.token_revoked, CLOSE_REASONS.token_revoked);
          break;
        default:
          this.log.warn({ kind: e.kind, id: e.id }, 'unknown admin event');
      }
    }
  }

  /** As `set_profile` does: the user's profile, as it now reads, to every room they are in. */
  private pushProfile(user: number): void {
    const now = this.profiles?.profile(user);
    if (now === undefined) return;
    const frame = profileFrame(now);
    for (const room of this.membership.roomsOf(user)) this.fanout.publish(roomTopic(room), frame);
  }
}
