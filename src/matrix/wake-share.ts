import type { MatrixStore, ReadsAfter, RoomInfo, RoomRange, StreamRow } from '../chat/matrix-store.js';
import type { WireMessage } from '../protocol/frames.js';
import { EventRenderer, type ClientEvent, type Names } from './events.js';
import type { MatrixIds } from './ids.js';
import type { RoomPeople } from './room-state.js';
import type { JoinedRoom, Unread } from './sync-body.js';

/** Stream rows (changes, batches of read marks, account data) read per sync. */
export const SCAN_STREAM = 2000;
/** Read marks read per sync (a batch's marks are read whole, even past it). */
export const SCAN_READS = 2000;

/** A user's names for one reply: each user looked up once. */
export class NameCache implements Names {
  private readonly seen = new Map<string, { name: string; displayName: string; avatar: string | null }>();
  constructor(private readonly store: MatrixStore, private readonly ids: MatrixIds) {}
  private get(id: number | string): { name: string; displayName: string; avatar: string | null } {
    const key = String(id);
    let v = this.seen.get(key);
    if (v === undefined) {
      const u = this.store.user(Number(id));
      v = { name: u?.name ?? `user${key}`, displayName: u === undefined ? `user${key}` : (u.displayName !== '' ? u.displayName : u.name), avatar: u?.avatar ?? null };
      this.seen.set(key, v);
    }
    return v;
  }
  userId(id: number | string): string {
    return this.ids.user(this.get(id).name);
  }
  displayName(id: number | string): string {
    return this.get(id).displayName;
  }
  avatarUrl(id: number | string): string | undefined {
    const avatar = this.get(id).avatar;
    return avatar === null ? undefined : this.ids.mxc(avatar);
  }
}

/** A room's new timeline rows rendered, as every member with the same view of them gets them. */
export interface Timeline {
  messages: WireMessage[]; events: ClientEvent[]; limited: boolean;
  /** A range's render only: what it depends on (room, where the user's history starts, rows, limit), its key in the share. */
  key?: string;
}

/**
 * A joined room's answer that members woken together share whole: all but
 * the unread counts, and its JSON up to its closing brace (see `oneRoomAnswerJson`).
 */
export interface SharedRoom { fields: Omit<JoinedRoom, 'unread_notifications'>; head: string }

/** A shared room is made with these and never answered with them: each member's own go in. */
export const NO_UNREAD: Unread = { notification_count: 0, highlight_count: 0 };

/**
 * What the polls woken together share: a commit wakes every member's poll at
 * once, and their answers differ only in per-user parts (transaction ids,
 * unread counts, receipts). Names, room rows, member lists, rendered
 * timelines and shared room sections are read and made once here; a share
 * lasts for one wake-up of the held polls (or one event-loop turn of
 * re-polls) and never past a commit told, so nothing in it outlives the rows
 * it was read from.
 */
export class WakeShare {
  readonly names: NameCache;
  readonly render: EventRenderer;
  readonly rooms = new Map<number, RoomInfo | undefined>();
  readonly people = new Map<number, RoomPeople>();
  readonly timelines = new Map<string, Timeline>();
  readonly joined = new Map<string, SharedRoom>();
  private newest: number | undefined;
  private readonly streams = new Map<number, StreamRow[]>();
  private readonly ranges = new Map<string, RoomRange | undefined>();
  private readonly reads = new Map<string, ReadsAfter>();

  constructor(private readonly store: MatrixStore, ids: MatrixIds) {
    this.names = new NameCache(store, ids);
    this.render = new EventRenderer(ids, this.names);
  }

  /** The newest message id: the same for every poll the share serves. */
  lastMessageId(): number {
    return (this.newest ??= this.store.lastMessageId());
  }

  /**
   * A room's rows after `afterId`: the members answered together last time ask
   * from the same id, so a commit's wake-up reads each room's new rows once,
   * not once per member.
   */
  roomRange(room: number, afterId: number, throughId: number, limit: number): RoomRange | undefined {
    return once(this.ranges, `${room}:${afterId}:${throughId}:${limit}`, () => this.store.roomRange(room, afterId, throughId, limit));
  }

  /** The read marks moved between two stream positions: polls woken together read them once. */
  readsAfter(afterPos: number, throughPos: number): ReadsAfter {
    if (throughPos <= afterPos) return { marks: [], through: afterPos };
    return once(this.reads, `${afterPos}:${throughPos}`, () => this.store.readsAfter(afterPos, throughPos, SCAN_READS));
  }

  /** The stream rows after `pos`: polls answered at the same moment ask from the same position. */
  streamAfter(pos: number): StreamRow[] {
    return once(this.streams, pos, () => this.store.streamAfter(pos, SCAN_STREAM));
  }
}

/** `read()`'s answer for `key`, read on the first ask only (an undefined answer is kept too). */
export function once<K, V>(known: Map<K, V>, key: K, read: () => V): V {
  if (known.has(key)) return known.get(key) as V;
  const value = read();
  known.set(key, value);
  return value;
}
