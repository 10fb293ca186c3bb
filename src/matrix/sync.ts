import type { MatrixStore } from '../chat/matrix-store.js';
import type { Membership } from '../chat/membership.js';
import type { HistorySource } from '../chat/ports.js';
import type { RoomReads } from '../chat/room-actions.js';
import type { PageOutcome } from '../chat/service.js';
import type { TypingState } from '../chat/typing.js';
import type { AccountDataRow, RoomInfo } from '../chat/matrix-store.js';
import type { MemberEntry, RoomSummary, WireMessage } from '../protocol/frames.js';
import { EventRenderer, type ClientEvent } from './events.js';
import type { SyncFilter } from './filters.js';
import type { MatrixIds } from './ids.js';
import { powerUsers, roomState, type RoomPeople } from './room-state.js';
import { oneRoomAnswerJson, type JoinedRoom, type SyncBody, type Unread } from './sync-body.js';
import { encodeRoomToken, encodeSince, type SyncPosition } from './sync-token.js';
import { NameCache, NO_UNREAD, once, SCAN_STREAM, WakeShare, type SharedRoom, type Timeline } from './wake-share.js';

export interface SyncDeps {
  ids: MatrixIds;
  store: MatrixStore;
  history: HistorySource;
  /** Reads a room's page as its member may see it (membership and history visibility checked). */
  historyPage(user: number, room: string, before: number | undefined, limit: number): PageOutcome;
  rooms: Pick<RoomReads, 'joinedMembers' | 'invitedTo' | 'invitesOf'>;
  membership: Membership;
  typing: TypingState;
  now?: () => number;
}

export interface SyncAsk {
  user: number; since: SyncPosition | null; filter: SyncFilter; fullState: boolean;
  /** The asking device: its own sends carry their `transaction_id`. */
  deviceId?: string;
}

/**
 * A built reply: see `SyncBuilder.build`. `text`: the body's JSON when it was
 * assembled from text shared with the polls woken with it (else stringify `body`).
 */
export interface SyncBuilt { body: SyncBody; empty: boolean; head: boolean; text?: string }

/** Rooms whose member lists are kept between wake-ups, at most (a few KB each in rooms of 50). */
const MEMBERS_KEPT_MAX = 1_000;

/** Timeline rows read, at most, in a room the user left or was invited to since the token (for their own exit or invite). */
const SCAN_ROWS = 2000;
/** Typing notices last this long after the last native ping. */
export const TYPING_MS = 6000;

/** A user's account data by room (0: the global section's). */
function byRoom(rows: readonly AccountDataRow[]): Map<number, AccountDataRow[]> {
  const out = new Map<number, AccountDataRow[]>();
  for (const d of rows) {
    const list = out.get(d.room);
    if (list === undefined) out.set(d.room, [d]);
    else list.push(d);
  }
  return out;
}

/**
 * Builds `/sync` replies from Roost's rows: joined rooms with their timeline
 * (messages and entries, then edits, deletions and reactions as events),
 * state, receipts and typing; invitations; rooms just left; account data.
 * An initial sync reads each room's last page; an incremental one reads only
 * what follows the token's positions, so its cost is what changed.
 */
export class SyncBuilder {
  private readonly now: () => number;
  private wake: WakeShare | undefined;
  private flushing = false;
  /**
   * Each room's joined members as last read, with the membership cache's
   * version of the room then. Every message in a room wakes its members and
   * each answer's summary needs the list; read from the store per commit it
   * was 8 % of the main thread's busy time under load (docs/benchmark.md),
   * and it changes only with a join, leave or role change.
   */
  private readonly membersKept = new Map<number, { version: number; members: MemberEntry[] }>();

  constructor(private readonly deps: SyncDeps) {
    this.now = deps.now ?? Date.now;
  }

  names(): NameCache {
    return new NameCache(this.deps.store, this.deps.ids);
  }

  /**
   * Runs `wakeUp` (one slice of the held polls' flush) with a share of reads
   * and renders for every `build` inside it. The share lasts from slice to
   * slice of one wake-up — a commit in a room of 50 wakes more polls than one
   * slice reads, and each slice re-read the room's members and rows — until
   * `wakeDone`, or until a commit is told (`committed`): rows it holds are
   * never older than the last commit the polls heard of.
   */
  shared(wakeUp: () => void): void {
    this.wake ??= new WakeShare(this.deps.store, this.deps.ids);
    this.flushing = true;
    try {
      // Each slice reads on one snapshot.
      this.deps.store.snapshot(wakeUp);
    } finally {
      this.flushing = false;
    }
  }

  /** Every woken poll was read: what they shared goes. */
  wakeDone(): void {
    this.wake = undefined;
  }

  /**
   * A commit landed: answers after it must not use reads made before it, so
   * the turn's share is dropped (a flush running now keeps its own).
   */
  committed(): void {
    if (!this.flushing) this.wake = undefined;
  }

  /**
   * The share for answers outside a flush: clients re-polling right after an
   * answer arrive together and ask the same rows, so one share serves every
   * `/sync` of this turn of the event loop and is dropped at its end.
   */
  private turnShare(): WakeShare {
    if (this.wake === undefined) {
      const share = (this.wake = new WakeShare(this.deps.store, this.deps.ids));
      setImmediate(() => {
        if (this.wake === share) this.wake = undefined;
      });
    }
    return this.wake;
  }

  /**
   * The reply, whether it carries nothing (a held poll keeps waiting then),
   * and whether `next_batch` is the store's head (false when the stream had
   * more rows than one reply reads: the next poll must read again).
   */
  build(ask: SyncAsk): SyncBuilt {
    const { store, ids } = this.deps;
    // An initial sync reads every room once and shares nothing; an incremental one shares the turn's reads.
    const share = ask.since === null ? this.wake : this.turnShare();
    const names = share?.names ?? this.names();
    const render = share?.render ?? new EventRenderer(ids, names);
    const body: SyncBody = {
      next_batch: '', rooms: { join: {}, invite: {}, leave: {} }, account_data: { events: [] },
      presence: { events: [] }, to_device: { events: [] }, device_lists: { changed: [], left: [] }, device_one_time_keys_count: {},
    };
    const typingNow = this.deps.typing.current;
    const since = ask.since;
    const wanted = ask.filter.rooms === undefined ? undefined : new Set(ask.filter.rooms);
    const include = (room: number): boolean => wanted === undefined || wanted.has(ids.room(room));
    let next: SyncPosition;
    let head = true;
    /** The one joined room whose text is shared, when this answer has it. */
    let shared: { key: string; head: string; unread: Unread } | undefined;
    if (since === null) {
      const summaries = new Map<number, RoomSummary>();
      for (const s of this.deps.history.rooms(ask.user)) summaries.set(Number(s.room), s);
      const pos = store.positions();
      next = { ...pos, typing: typingNow };
      // Read once: the global section takes room 0's, each room section its own.
      const data = byRoom(store.accountData(ask.user, 0));
      for (const room of summaries.keys()) {
        if (!include(room)) continue;
        const summary = summaries.get(room);
        const unread = { notification_count: summary?.unread ?? 0, highlight_count: summary?.mentions ?? 0 };
        body.rooms.join[ids.room(room)] = this.joinedRoom(ask, room, undefined, true, render, names, unread, true, data.get(room));
      }
      for (const inv of this.deps.rooms.invitesOf(ask.user)) this.invite(body, ask.user, Number(inv.room), names);
      for (const d of data.get(0) ?? []) this.accountData(body, 0, d.type, d.content, ask.user);
    } else {
      // Only the user's own rooms (and those where their standing changed) are read: an answer costs what
      // changed for this user, however busy the rest of the server is.
      // An incremental sync always has a share (the flush's or this turn's), asked for above.
      const reads = share ?? this.turnShare();
      const through = reads.lastMessageId();
      const stream = reads.streamAfter(since.stream);
      const streamEnd = stream[stream.length - 1]?.pos ?? since.stream;
      // With many marks moved, the answer stops at the last position whose marks it tells.
      const marks = reads.readsAfter(since.stream, streamEnd);
      head = stream.length < SCAN_STREAM && marks.through === streamEnd;
      next = { msg: Math.max(through, since.msg), stream: marks.through, typing: typingNow };
      const touched = new Map<number, { fromSeq: number; toSeq: number }>();
      const rowsWanted = ask.filter.timelineLimit + 1;
      for (const room of this.deps.membership.roomsOf(ask.user)) {
        if (!include(room)) continue;
        const r = through > since.msg ? reads.roomRange(room, since.msg, through, rowsWanted) : undefined;
        if (r !== undefined) touched.set(room, r);
      }
      for (const room of through > since.msg ? store.standingRooms(ask.user) : []) {
        if (!include(room) || this.deps.membership.isMember(room, ask.user)) continue;
        // A leave section lists only the user's own exit rows; a room that busy reads only its newest rows here.
        const r = store.roomRange(room, since.msg, through, SCAN_ROWS);
        if (r !== undefined) this.notJoined(body, ask.user, room, r.fromSeq, r.toSeq, ask.filter.timelineLimit, render, names);
      }
      const changes = new Map<number, ClientEvent[]>();
      const receipts = new Map<number, Record<string, unknown>>();
      // The user's account data written since: one read from the first of its stream rows (a type written
      // again since has moved to its newest row, so each is told once). With full_state, room sections carry theirs whole.
      const accountRows = new Set<number>();
      for (const s of stream) if (s.kind === 'account' && s.ref === ask.user && s.pos <= next.stream) accountRows.add(s.pos);
      const fullData = ask.fullState ? byRoom(store.accountData(ask.user, 0)) : undefined;
      if (accountRows.size > 0) {
        for (const d of store.accountData(ask.user, Math.min(...accountRows) - 1)) {
          if (accountRows.has(d.pos) && (fullData === undefined || d.room === 0)) this.accountData(body, d.room, d.type, d.content, ask.user);
        }
      }
      for (const s of stream) {
        if (s.pos > next.stream) break;
        if (s.kind !== 'change' || !include(s.room) || !this.deps.membership.isMember(s.room, ask.user)) continue;
        const c = store.change(s.room, s.ref);
        if (c === undefined || c.seq < this.deps.membership.firstSeq(s.room, ask.user)) continue;
        const undone = c.kind === 'unreact' ? store.reactionUndone(c.room, c.seq, c.user, c.body ?? '', c.cseq) : undefined;
        const ev = render.change(c, undone);
        if (ev === undefined) continue;
        const list = changes.get(s.room) ?? [];
        list.push(ev);
        changes.set(s.room, list);
      }
      // Marks moved at the positions this answer covers: each is told once, in the answer whose range holds its position.
      for (const m of marks.marks) {
        if (!include(m.room) || !this.deps.membership.isMember(m.room, ask.user)) continue;
        // A mark on a message the asker may not read (before their join) would name it.
        if (m.seq < 1 || m.seq < this.deps.membership.firstSeq(m.room, ask.user)) continue;
        const content = receipts.get(m.room) ?? {};
        addReceipt(content, ids.row(m.room, m.seq), names.userId(m.user), this.now());
        receipts.set(m.room, content);
      }
      const typingRooms = new Set<number>();
      const floor = since.typing > typingNow ? 0 : since.typing;
      for (const room of this.deps.membership.roomsOf(ask.user)) if (this.deps.typing.serial(room) > floor && include(room)) typingRooms.add(room);
      const all = new Set<number>([...touched.keys(), ...changes.keys(), ...receipts.keys(), ...typingRooms]);
      // full_state: every joined room's state, those with nothing new too (with an empty timeline).
      if (ask.fullState) for (const room of this.deps.membership.roomsOf(ask.user)) if (include(room)) all.add(room);
      for (const room of all) {
        const range = touched.get(room);
        const key = ids.room(room);
        const unread = this.unread(ask.user, room);
        const earlier = body.rooms.join[key];
        // Only new rows, nothing else for this member: the answer the room's other woken members get too.
        const plain = range !== undefined && !ask.fullState && earlier === undefined && !typingRooms.has(room) && !changes.has(room) && !receipts.has(room)
          ? this.sharedRoom(ask, room, range, reads, render, names) : undefined;
        if (plain !== undefined) {
          body.rooms.join[key] = { ...plain.fields, unread_notifications: unread };
          shared = { key, head: plain.head, unread };
          continue;
        }
        const joined = this.joinedRoom(ask, room, range, ask.fullState, render, names, unread, typingRooms.has(room), fullData?.get(room));
        joined.timeline.events.push(...(changes.get(room) ?? []));
        const r = receipts.get(room);
        if (r !== undefined) joined.ephemeral.events.push({ type: 'm.receipt', content: r });
        if (earlier !== undefined) joined.account_data.events.push(...earlier.account_data.events);
        body.rooms.join[key] = joined;
      }
    }
    body.next_batch = encodeSince(next);
    const joinedRooms = Object.keys(body.rooms.join).length;
    const others = Object.keys(body.rooms.invite).length + Object.keys(body.rooms.leave).length + body.account_data.events.length;
    const empty = joinedRooms === 0 && others === 0;
    if (shared !== undefined && joinedRooms === 1 && others === 0) return { body, empty, head, text: oneRoomAnswerJson(body.next_batch, shared.key, shared.head, shared.unread) };
    return { body, empty, head };
  }

  /**
   * The joined room's answer the members woken with `share` have in common,
   * when this member's is exactly that: new rows, none of them the member's own
   * (a transaction id, a join bringing state), no gap (state again). Made once
   * per timeline and set of room heroes (the first five members but the asker),
   * so a commit's wake-up renders and stringifies a room once, not once per member.
   */
  private sharedRoom(
    ask: SyncAsk, room: number, range: { fromSeq: number; toSeq: number }, share: WakeShare, render: EventRenderer, names: NameCache,
  ): SharedRoom | undefined {
    const me = String(ask.user);
    const people = this.people(room);
    const timeline = this.timeline(ask.user, room, range, false, ask.filter.timelineLimit, render, names, this.roomInfo(room), people);
    if (timeline.limited || people.members.length < 2) return undefined;
    for (const m of timeline.messages) if (m.from === me || m.event?.kind === 'created') return undefined;
    let hero = -1;
    for (let i = 0; i < 5 && i < people.members.length; i++) if (people.members[i]?.user === me) hero = i;
    return once(share.joined, `${timeline.key ?? ''}|${hero}`, () => {
      const { unread_notifications: _unread, ...fields } = this.joinedRoom(ask, room, range, false, render, names, NO_UNREAD, false);
      return { fields, head: JSON.stringify(fields).slice(0, -1) };
    });
  }

  /**
   * One joined room. `range`: the timeline rows to send (an incremental
   * sync); absent on an initial sync (the last page). State: all of it when
   * `full` or when the user's own join is in the timeline, else none.
   */
  private joinedRoom(
    ask: SyncAsk, room: number, range: { fromSeq: number; toSeq: number } | undefined, full: boolean,
    render: EventRenderer, names: NameCache, unread: Unread, typing = range === undefined, roomData: readonly AccountDataRow[] = [],
  ): JoinedRoom {
    const { ids, store } = this.deps;
    const me = String(ask.user);
    const info = this.roomInfo(room);
    const people = this.people(room);
    // A room's last page is an initial sync's; an incremental one (full_state or not) sends only rows after `since`.
    const page = full && (range !== undefined || ask.since === null);
    const { messages, events: shared, limited } = this.timeline(ask.user, room, range, page, ask.filter.timelineLimit, render, names, info, people);
    const joinedNow = range !== undefined && messages.some((m) => (m.event?.kind === 'joined' && m.from === me) || m.event?.kind === 'created');
    // The rendered events may be shared with other polls: this answer's changes go into a copy.
    const events = [...shared];
    if (ask.deviceId !== undefined) {
      // The sending device matches its local echo by transaction id; no other device is told it.
      const mine = `mx:${ask.deviceId}:`;
      messages.forEach((m, i) => {
        if (m.from !== me || m.event !== undefined) return;
        const id = store.clientMsgId(room, m.seq);
        const ev = events[i];
        if (id !== undefined && id.startsWith(mine) && ev !== undefined) events[i] = { ...ev, unsigned: { ...ev.unsigned, transaction_id: id.slice(mine.length) } };
      });
    }
    let state: ClientEvent[] = [];
    if (info !== undefined && (full || joinedNow || limited)) {
      const only = ask.filter.lazyMembers ? new Set<string>([me, ...messages.map((m) => m.from)]) : undefined;
      const timelineIds = new Set(events.map((e) => `${e.type}\u0000${e.state_key ?? ''}`));
      const snapshot = roomState(info, people, ids, names, this.now(), only);
      // Without a gap, state the timeline itself sets is not repeated before it (the spec's rule for `state`).
      state = limited || range === undefined ? snapshot : snapshot.filter((e) => !timelineIds.has(`${e.type}\u0000${e.state_key ?? ''}`));
    }
    const ephemeral: Array<Record<string, unknown>> = [];
    if (range === undefined && full) {
      const content: Record<string, unknown> = {};
      const first = Math.max(1, this.deps.membership.firstSeq(room, ask.user));
      for (const m of people.members) {
        const seq = store.readSeq(room, Number(m.user));
        if (seq !== undefined && seq >= first) addReceipt(content, ids.row(room, seq), names.userId(m.user), this.now());
      }
      if (Object.keys(content).length > 0) ephemeral.push({ type: 'm.receipt', content });
    }
    if (typing) ephemeral.push({ type: 'm.typing', content: { user_ids: this.deps.typing.typers(room, this.now()).map((u) => names.userId(u)) } });
    const heroes: string[] = [];
    for (const m of people.members) {
      if (heroes.length === 5) break;
      if (m.user !== me) heroes.push(names.userId(m.user));
    }
    const invitedHeroes = heroes.length > 0 ? heroes : people.invited.filter((i) => i.user !== me).slice(0, 5).map((i) => names.userId(i.user));
    return {
      timeline: { events, limited, prev_batch: encodeRoomToken(messages[0]?.seq ?? (range === undefined ? (info?.lastSeq ?? 0) + 1 : range.fromSeq)) },
      state: { events: state },
      ephemeral: { events: ephemeral },
      account_data: { events: roomData.map((d) => ({ type: d.type, content: JSON.parse(d.content) as unknown })) },
      summary: { 'm.heroes': invitedHeroes, 'm.joined_member_count': people.members.length, 'm.invited_member_count': people.invited.length },
      unread_notifications: unread,
    };
  }

  /**
   * The timeline rows to send and their events. An incremental range's
   * render depends only on the room, the rows and where the user's history
   * starts, so within a wake-up it is made once for every poll that asks it.
   */
  private timeline(
    user: number, room: number, range: { fromSeq: number; toSeq: number } | undefined, full: boolean, limit: number,
    render: EventRenderer, names: NameCache, info: RoomInfo | undefined, people: RoomPeople,
  ): Timeline {
    if (range === undefined && !full) return { messages: [], events: [], limited: false };
    // A range holds at most its span of rows: a poll woken for one new message reads that one row (and the one
    // before it, which says whether rows were skipped), not a whole page.
    if (range !== undefined) limit = Math.min(limit, range.toSeq - range.fromSeq + 1);
    const key = range === undefined ? undefined : `${room}:${this.deps.membership.firstSeq(room, user)}:${range.fromSeq}:${range.toSeq}:${limit}`;
    const known = key === undefined ? undefined : this.wake?.timelines.get(key);
    if (known !== undefined) return known;
    let messages: WireMessage[] = [];
    let limited = false;
    const page = this.deps.historyPage(user, String(room), range === undefined ? undefined : range.toSeq + 1, limit);
    if (page.ok) {
      messages = range === undefined ? page.messages : page.messages.filter((m) => m.seq >= range.fromSeq);
      limited = range === undefined ? page.more : (messages[0]?.seq ?? range.fromSeq) > range.fromSeq;
    }
    const powers = (): Record<string, number> => powerUsers(people, names);
    const made: Timeline = { messages, events: messages.map((m) => render.row(m, powers, info)), limited, key };
    if (key !== undefined) this.wake?.timelines.set(key, made);
    return made;
  }

  private roomInfo(room: number): RoomInfo | undefined {
    const read = (): RoomInfo | undefined => this.deps.store.room(room);
    return this.wake === undefined ? read() : once(this.wake.rooms, room, read);
  }

  private people(room: number): RoomPeople {
    const read = (): RoomPeople => ({ members: this.members(room), invited: this.deps.rooms.invitedTo(room) });
    return this.wake === undefined ? read() : once(this.wake.people, room, read);
  }

  /** The room's joined members: read again from the store only when the membership cache has seen them change since. */
  private members(room: number): MemberEntry[] {
    const version = this.deps.membership.version(room);
    const kept = this.membersKept.get(room);
    if (kept !== undefined && kept.version === version) return kept.members;
    const members = this.deps.rooms.joinedMembers(room);
    // Past the bound, the room read from the store longest ago makes way (a Map iterates in insertion order).
    this.membersKept.delete(room);
    const oldest = this.membersKept.size >= MEMBERS_KEPT_MAX ? this.membersKept.keys().next().value : undefined;
    if (oldest !== undefined) this.membersKept.delete(oldest);
    this.membersKept.set(room, { version, members });
    return members;
  }

  /** The user's unread counts in one room: one statement from their read mark (see MatrixStore.unreadOf). */
  private unread(user: number, room: number): Unread {
    const u = this.deps.store.unreadOf(room, user);
    return { notification_count: Math.max(0, u.lastSeq - Math.min(u.read, u.lastSeq) - u.entries), highlight_count: u.mentions };
  }

  /**
   * A room the user is not joined to had rows: an invitation of theirs (told
   * once, with the row that made it), or their leaving, with what the room
   * said while they were still in it (at most `limit` rows up to the exit).
   */
  private notJoined(body: SyncBody, user: number, room: number, fromSeq: number, toSeq: number, limit: number, render: EventRenderer, names: NameCache): void {
    const standing = this.deps.store.standing(room, user);
    if (standing === undefined) return;
    const me = String(user);
    const rows = this.deps.history.since(room, fromSeq - 1, toSeq - fromSeq + 1).messages;
    if (standing === 'invited') {
      if (rows.some((m) => m.event?.kind === 'invited' && m.event.user === me)) this.invite(body, user, room, names);
      return;
    }
    const exit = rows.findLastIndex((m) => m.event !== undefined && (
      ((m.event.kind === 'left' || m.event.kind === 'declined') && m.from === me) || (m.event.kind === 'removed' && m.event.user === me)));
    if (exit < 0) return;
    // From their own join when it is in these rows (what came before it may not be theirs to read).
    const from = Math.max(0, rows.slice(0, exit).findLastIndex((m) => (m.event?.kind === 'joined' || m.event?.kind === 'created') && m.from === me));
    const start = Math.max(from, exit + 1 - limit);
    const shown = rows.slice(start, exit + 1);
    body.rooms.leave[this.deps.ids.room(room)] = {
      timeline: { events: shown.map((m) => render.row(m, () => ({}))), limited: start > from, prev_batch: encodeRoomToken(shown[0]?.seq ?? fromSeq) },
      state: { events: [] }, account_data: { events: [] },
    };
  }

  private invite(body: SyncBody, user: number, room: number, names: NameCache): void {
    const info = this.deps.store.room(room);
    if (info === undefined) return;
    const { ids } = this.deps;
    const people = this.people(room);
    const by = people.invited.find((i) => i.user === String(user))?.by ?? String(info.creator);
    const me = names.userId(user);
    const stripped = (type: string, content: Record<string, unknown>, sender: string, key = ''): Record<string, unknown> => ({ type, state_key: key, content, sender });
    const events = [
      stripped('m.room.create', { creator: names.userId(info.creator), room_version: '10' }, names.userId(info.creator)),
      stripped('m.room.join_rules', { join_rule: info.joinRule }, names.userId(info.creator)),
      ...(info.kind === 'group' ? [stripped('m.room.name', { name: info.name }, names.userId(info.creator))] : []),
      ...people.members.slice(0, 5).map((m) => stripped('m.room.member', { membership: 'join', displayname: names.displayName(m.user) }, names.userId(m.user), names.userId(m.user))),
      stripped('m.room.member', { membership: 'invite', displayname: names.displayName(user), ...(info.kind === 'direct' ? { is_direct: true } : {}) }, names.userId(by), me),
    ];
    body.rooms.invite[ids.room(room)] = { invite_state: { events } };
  }

  private accountData(body: SyncBody, room: number, type: string, content: string, user: number): void {
    const ev = { type, content: JSON.parse(content) as unknown };
    if (room === 0) {
      body.account_data.events.push(ev);
      return;
    }
    if (!this.deps.membership.isMember(room, user)) return;
    const key = this.deps.ids.room(room);
    const existing = body.rooms.join[key];
    if (existing !== undefined) existing.account_data.events.push(ev);
    else {
      // A room section a client applies whole: its unread counts are the member's own (zeros would clear the
      // badge), and paging back from its empty timeline starts at the room's end.
      body.rooms.join[key] = {
        timeline: { events: [], limited: false, prev_batch: encodeRoomToken((this.roomInfo(room)?.lastSeq ?? 0) + 1) }, state: { events: [] }, ephemeral: { events: [] },
        account_data: { events: [ev] }, summary: {}, unread_notifications: this.unread(user, room),
      };
    }
  }
}

function addReceipt(content: Record<string, unknown>, eventId: string, userId: string, ts: number): void {
  const forEvent = (content[eventId] ??= { 'm.read': {} }) as { 'm.read': Record<string, { ts: number }> };
  forEvent['m.read'][userId] = { ts };
}
