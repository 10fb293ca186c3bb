import type { Attachment, Change, HistoryRule, JoinRule, NotifyLevel, Reaction, RoomRole, RoomSummary, WireMessage } from './protocol.js';

/** An own message not yet acknowledged: shown at the end of the room, retried with the same clientMsgId. */
export interface PendingSend {
  clientMsgId: string;
  body: string;
  replyTo?: number;
  /** Uploaded files this message carries (their metadata, so the sent message can show them at once). */
  attachments?: readonly Attachment[];
  state: 'sending' | 'failed';
  error: string | null;
}

/**
 * What the client knows of one room. `messages` is a contiguous window of the
 * room's history (seqs with no gaps); it may be the latest messages or an older
 * stretch (after opening a search result), and grows both ways as the user scrolls.
 */
export interface RoomState {
  id: string;
  name: string;
  kind: 'group' | 'direct';
  lastSeq: number;
  /** The signed-in user's read marker. */
  readSeq: number;
  preview: WireMessage | null;
  messages: readonly WireMessage[];
  loaded: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  loadingNewer: boolean;
  pending: readonly PendingSend[];
  /** Other members typing now: user id → when the indicator expires (ms since epoch). */
  typing: Readonly<Record<string, number>>;
  /** Other members' read markers: user id → seq. */
  receipts: Readonly<Record<string, number>>;
  /** Member ids, once fetched. */
  members: readonly string[] | null;
  /** The highest change sequence applied (edits, deletions, reactions): the `changesSince` cursor. */
  lastCseq: number;
  /** Unread messages that mention the user. */
  mentions: number;
  muted: boolean;
  notify: NotifyLevel;
  /** The room's settings and the user's role in it (servers without rooms and roles send none). */
  topic: string;
  avatar: string | null;
  joinRule: JoinRule;
  history: HistoryRule;
  role: RoomRole | null;
  /** Joined members, from the summary (or the roster once read). */
  memberCount: number | null;
  /** The other person of a direct room. */
  peer: string | null;
  /** Joined members' roles and pending invitations, once the settings asked for them. */
  roles: Readonly<Record<string, RoomRole>> | null;
  invitedUsers: ReadonlyArray<{ user: string; by: string }>;
}

/** The summary's settings fields, as the room keeps them. */
export function settingsOf(s: RoomSummary): Pick<RoomState, 'topic' | 'avatar' | 'joinRule' | 'history' | 'role' | 'memberCount' | 'peer'> {
  return {
    topic: s.topic ?? '', avatar: s.avatar ?? null, joinRule: s.joinRule ?? 'invite', history: s.history ?? 'shared',
    role: s.role ?? null, memberCount: s.members ?? null, peer: s.peer ?? null,
  };
}

export function newRoom(s: RoomSummary): RoomState {
  return {
    id: s.room, name: s.name, kind: s.kind, lastSeq: s.lastSeq, readSeq: s.readSeq, preview: null,
    messages: [], loaded: false, hasOlder: false, loadingOlder: false, loadingNewer: false,
    pending: [], typing: {}, receipts: {}, members: null,
    lastCseq: s.lastCseq ?? 0, mentions: s.mentions ?? 0, muted: s.muted === true, notify: s.notify ?? 'all',
    ...settingsOf(s), roles: null, invitedUsers: [],
  };
}

export const windowStart = (r: RoomState): number => r.messages[0]?.seq ?? 0;
export const windowEnd = (r: RoomState): number => r.messages[r.messages.length - 1]?.seq ?? 0;
/** The window reaches the newest message the client knows of: live messages extend it. */
export const atLatest = (r: RoomState): boolean => r.loaded && windowEnd(r) >= r.lastSeq;
export const unreadCount = (r: Pick<RoomState, 'lastSeq' | 'readSeq'>): number => Math.max(0, r.lastSeq - r.readSeq);

/** Replaces the window with a page from the server (ascending). */
export function withWindow(r: RoomState, messages: readonly WireMessage[], hasOlder: boolean): RoomState {
  const last = messages[messages.length - 1];
  return {
    ...r, messages, hasOlder, loaded: true,
    lastSeq: Math.max(r.lastSeq, last?.seq ?? 0),
    preview: last !== undefined && (r.preview === null || last.seq >= r.preview.seq) ? last : r.preview,
  };
}

/** Adds an older page in front of the window, keeping only what joins it without a gap or overlap. */
export function withOlder(r: RoomState, older: readonly WireMessage[], hasOlder: boolean): RoomState {
  const start = windowStart(r);
  const fitting = r.messages.length === 0 ? older : older.filter((m) => m.seq < start);
  const joins = r.messages.length === 0 || fitting.length === 0 || (fitting[fitting.length - 1]?.seq ?? 0) === start - 1;
  if (!joins) return { ...r, loadingOlder: false };
  return { ...r, messages: [...fitting, ...r.messages], hasOlder, loadingOlder: false, loaded: true };
}

/**
 * Appends newer messages that continue the window. Returns the room and
 * whether a gap was found (the caller then asks the server for what is missing).
 */
export function withNewer(r: RoomState, newer: readonly WireMessage[]): { room: RoomState; gap: boolean } {
  let end = windowEnd(r);
  const add: WireMessage[] = [];
  let gap = false;
  for (const m of newer) {
    if (m.seq <= end) continue;
    if (r.messages.length > 0 && m.seq !== end + 1) {
      gap = true;
      break;
    }
    add.push(m);
    end = m.seq;
  }
  if (add.length === 0) return { room: r, gap };
  const last = add[add.length - 1] as WireMessage;
  return {
    room: {
      ...r, messages: [...r.messages, ...add], loaded: true, lastSeq: Math.max(r.lastSeq, last.seq),
      preview: r.preview === null || last.seq >= r.preview.seq ? last : r.preview,
    },
    gap,
  };
}

/** Records a message the server published, whether or not the window shows it. */
export function withLiveMessage(r: RoomState, m: WireMessage, me: string): { room: RoomState; gap: boolean } {
  const following = atLatest(r);
  let room: RoomState = {
    ...r,
    lastSeq: Math.max(r.lastSeq, m.seq),
    preview: r.preview === null || m.seq >= r.preview.seq ? m : r.preview,
  };
  // A room change is not unread (the server leaves entries out of `unread`): one arriving in a room read
  // to its end leaves it read to the end.
  if (m.from === me || (m.event !== undefined && r.readSeq >= r.lastSeq)) room.readSeq = Math.max(room.readSeq, m.seq);
  if (m.from in room.typing) {
    const typing = { ...room.typing };
    delete typing[m.from];
    room.typing = typing;
  }
  if (!following) return { room, gap: false };
  const appended = withNewer(room, [m]);
  room = appended.room;
  return { room, gap: appended.gap };
}

export function withPending(r: RoomState, clientMsgId: string, change: Partial<PendingSend> | null): RoomState {
  const pending = change === null
    ? r.pending.filter((p) => p.clientMsgId !== clientMsgId)
    : r.pending.map((p) => (p.clientMsgId === clientMsgId ? { ...p, ...change } : p));
  return { ...r, pending };
}

/**
 * Applies an edit, deletion or reaction to the message it names, if the window
 * holds it. Changes at or below the room's cursor were applied already (a live
 * frame, then the same entry in a sync): skipping them keeps reaction counts right.
 */
export function withChange(r: RoomState, c: Change, me: string): RoomState {
  if (c.cseq <= r.lastCseq) return r;
  const apply = (m: WireMessage): WireMessage => {
    if (m.seq !== c.seq) return m;
    if (c.type === 'edited') {
      if (m.deleted === true) return m;
      // The edit's mentions replace the old ones; none listed means none any more.
      const { mentions: _old, ...rest } = m;
      return { ...rest, body: c.body, editedAt: c.editedAt, ...(c.mentions !== undefined ? { mentions: c.mentions } : {}) };
    }
    if (c.type === 'deleted') return { room: m.room, seq: m.seq, msgId: m.msgId, from: m.from, ts: m.ts, body: '', deleted: true };
    if (m.deleted === true) return m;
    return { ...m, reactions: withReaction(m.reactions ?? [], c.emoji, c.on, c.user === me) };
  };
  const i = c.seq - windowStart(r);
  const hit = r.messages[i];
  let messages = r.messages;
  if (hit !== undefined && hit.seq === c.seq) {
    const copy = [...r.messages];
    copy[i] = apply(hit);
    messages = copy;
  }
  return { ...r, messages, lastCseq: c.cseq, preview: r.preview === null ? null : apply(r.preview) };
}

function withReaction(list: readonly Reaction[], emoji: string, on: boolean, mine: boolean): Reaction[] {
  const old = list.find((x) => x.emoji === emoji);
  // My own reaction is known exactly; someone else's on/off moves the count.
  if (old !== undefined && mine && old.me === on) return [...list];
  const count = (old?.count ?? 0) + (on ? 1 : -1);
  const next = { emoji, count, me: mine ? on : old?.me ?? false };
  const out = old === undefined ? [...list, next] : list.map((x) => (x === old ? next : x));
  return out.filter((x) => x.count > 0);
}

/**
 * Applies moved read markers (one `receipt` or a `receipts` batch): the user's
 * own moves `readSeq`, others' are shown as seen. Never backwards.
 */
export function withReads(r: RoomState, reads: ReadonlyArray<{ user: string; seq: number }>, me: string): RoomState {
  let readSeq = r.readSeq;
  const receipts: Record<string, number> = { ...r.receipts };
  for (const { user, seq } of reads) {
    if (user === me) readSeq = Math.max(readSeq, seq);
    else receipts[user] = Math.max(receipts[user] ?? 0, seq);
  }
  // Read to the end (on another device, say): no mention is left unread either.
  return { ...r, readSeq, receipts, ...(readSeq >= r.lastSeq ? { mentions: 0 } : {}) };
}
