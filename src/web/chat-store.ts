import { api, HttpError } from './api.js';
import { CATCH_UP_LIMIT, catchUp, fetchMembers, pullChanges, refreshRooms } from './catch-up.js';
import { avatarFiles, FileLinks } from './file-links.js';
import { notifyOfMessage } from './notifications.js';
import { askPresence, reportVisibility } from './presence.js';
import { Connection, type ConnState } from './connection.js';
import { Outbox, type Delivery } from './outbox.js';
import { SendPacer } from './send-pacer.js';
import { DEFAULT_EDIT_WINDOW_MS } from './room-actions.js';
import { ReadThrottle } from './read-throttle.js';
import type { SearchState } from './search-actions.js';
import { labelsOf, withPeople, type Person, type PersonUpdate } from './people.js';
import type { Attachment, Change, InviteEntry, PresenceState, ServerFrame, ServerFrameOf, User, WireMessage } from './protocol.js';
import { loadInvites, loadRoster } from './room-directory.js';
import {
  atLatest, windowEnd, windowStart, withChange, withLiveMessage, withNewer, withOlder, withPending, withReads, withWindow, type RoomState,
} from './room-state.js';

export interface ChatState {
  me: User;
  conn: ConnState;
  roomsLoaded: boolean;
  rooms: Readonly<Record<string, RoomState>>;
  current: string | null;
  /** Where the "new messages" line goes in the open room: after this seq. */
  divider: { room: string; after: number } | null;
  /** A message to scroll to and highlight (a search result); `n` changes on every jump. */
  target: { room: string; seq: number; n: number } | null;
  /** What each user is called on screen: display name, else sign-in name (derived from `people`). */
  names: Readonly<Record<string, string>>;
  /** Sign-in names, display names and avatars of the users met so far. */
  people: Readonly<Record<string, Person>>;
  /** Invitations waiting for the user's answer. */
  invites: readonly InviteEntry[];
  search: SearchState | null;
  /** Known presence of other users (pushed, or asked for when a room opens). */
  presence: Readonly<Record<string, PresenceState>>;
  /** The message the composer is replying to, and the one being edited in place. */
  replyTo: { room: string; seq: number } | null;
  editing: { room: string; seq: number } | null;
  /** The server's edit window, from the `rooms` reply (its default until then). */
  editWindowMs: number;
}

/** What a message carries besides its text. */
export interface SendExtras { replyTo?: number; attachments?: readonly Attachment[] }

const PAGE = 50;
const KEEP_IN_BACKGROUND = 100;
const TYPING_SHOWN_MS = 6000;
const TYPING_SEND_EVERY_MS = 3000;
/** How long a send the server was too busy for waits before it is sent again, when the server names no wait. */
const BUSY_RETRY_MS = 1000;

/**
 * The client's state and everything that changes it: frames from the server,
 * and the user's actions. Components read `state` and call methods; they
 * never talk to the socket themselves. Updates replace objects (rooms,
 * message arrays) so a component can tell by identity what changed.
 */
export class ChatStore {
  state: ChatState;
  readonly conn: Connection;
  /** Short-lived file URLs for images and downloads: the token never goes into one. */
  readonly fileLinks: FileLinks;
  /** Users' and rooms' pictures: their own route and access rule. */
  readonly avatarLinks: FileLinks;
  /** Sends waiting for the socket, drained in order under the server's rate (see outbox.ts). */
  readonly outbox: Outbox;
  readonly pacer = new SendPacer();
  /** Read markers, at most once a second per room (see read-throttle.ts). */
  private readonly reads = new ReadThrottle((room, seq) => this.conn.send({ type: 'read', room, seq }));
  private readonly listeners = new Set<() => void>();
  private typingSentAt = new Map<string, number>();
  private typingTimer = 0;
  private targetN = 0;

  constructor(readonly token: string, me: User, readonly onSignedOut: () => void) {
    this.state = { me, conn: { kind: 'connecting' }, roomsLoaded: false, rooms: {}, current: null, divider: null, target: null, names: { [me.id]: me.name }, people: { [me.id]: { name: me.name, displayName: '' } }, invites: [], search: null, presence: {}, replyTo: null, editing: null, editWindowMs: DEFAULT_EDIT_WINDOW_MS };
    this.fileLinks = new FileLinks(token);
    this.avatarLinks = new FileLinks(token, Date.now, avatarFiles);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const check = async (): Promise<'ok' | 'unauthorized' | 'unreachable'> => {
      try {
        await api.checkToken(token);
        return 'ok';
      } catch (err) {
        return err instanceof HttpError && err.status === 401 ? 'unauthorized' : 'unreachable';
      }
    };
    this.conn = new Connection(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`, check, {
      frame: (f) => this.onFrame(f),
      opened: () => {
        reportVisibility(this);
        void catchUp(this).then(() => {
          askPresence(this);
          // Reads made while offline go now.
          this.reads.flush();
        });
      },
      state: (conn) => {
        if (conn.kind !== 'online') this.outbox.close();
        // Who is online is only known while connected; offline, an old "1 online" would be a guess.
        this.patch(conn.kind === 'online' ? { conn } : { conn, presence: {} });
      },
      unauthorized: () => this.onSignedOut(),
    });
    this.outbox = new Outbox({ pacer: this.pacer, deliver: (room, clientMsgId) => this.deliver(room, clientMsgId) });
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    this.conn.start();
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  stop(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.conn.stop();
    window.clearInterval(this.typingTimer);
  }

  /** Replaces part of the state and tells the subscribers. */
  patch(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  /** Replaces one room's state, if the user is still in it. */
  updateRoom(id: string, change: (r: RoomState) => RoomState): void {
    const r = this.state.rooms[id];
    if (r !== undefined) this.patch({ rooms: { ...this.state.rooms, [id]: change(r) } });
  }

  private readonly onVisibility = (): void => reportVisibility(this);

  /** Applies edits, deletions and reactions to a room, in cseq order. */
  applyChanges(id: string, changes: readonly Change[], lastCseq?: number): void {
    const me = this.state.me.id;
    this.updateRoom(id, (r) => {
      const next = changes.reduce((x, c) => withChange(x, c, me), r);
      return lastCseq === undefined || lastCseq <= next.lastCseq ? next : { ...next, lastCseq };
    });
  }

  /** Records what was learned about users; every name on screen follows. */
  learn(updates: readonly PersonUpdate[]): void {
    if (updates.length === 0) return;
    const people = withPeople(this.state.people, updates);
    this.patch({ people, names: labelsOf(people) });
  }

  setPresence(user: string, state: PresenceState): void {
    if (this.state.presence[user] !== state) this.patch({ presence: { ...this.state.presence, [user]: state } });
  }

  // --- frames the server sends unasked ---

  private onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'message': return this.onMessage(f);
      case 'edited': case 'deleted': case 'reaction': {
        // A change past a gap (a muted room gets no live changes except an edit that mentions
        // this user): fetch it with the ones missed, or the cursor would skip them.
        const r = this.state.rooms[f.room];
        if (r !== undefined && f.cseq > r.lastCseq + 1) return void pullChanges(this, [f.room]).catch(() => undefined); // offline: the reconnect's catch-up does it
        return this.applyChanges(f.room, [f]);
      }
      case 'presence': return f.room === undefined ? this.setPresence(f.user, f.state) : undefined;
      case 'receipt': return this.updateRoom(f.room, (r) => withReads(r, [f], this.state.me.id));
      case 'receipts': return this.updateRoom(f.room, (r) => withReads(r, f.reads, this.state.me.id));
      case 'typing':
        if (f.user === this.state.me.id) return;
        this.updateRoom(f.room, (r) => ({ ...r, typing: { ...r.typing, [f.user]: Date.now() + TYPING_SHOWN_MS } }));
        return this.watchTyping();
      case 'profile':
        return this.learn([{ id: f.user, displayName: f.displayName, avatar: f.avatar ?? null, ...(f.name !== undefined ? { name: f.name } : {}), ...(f.bot === true ? { bot: true } : {}) }]);
      case 'room': {
        const mine = f.user === this.state.me.id;
        if (f.event === 'invited') return void loadInvites(this).catch(() => undefined);
        if (f.event === 'updated') return void refreshRooms(this).catch(() => undefined);
        if (!mine && (f.event === 'left' || (f.event === 'joined' && this.state.rooms[f.room] !== undefined))) return this.membersChanged(f.room);
        return void refreshRooms(this).catch(() => undefined);
      }
      default:
        return;
    }
  }

  /** Someone joined, left, was invited, removed or given a role: the names, and the roster if it is shown. */
  private membersChanged(id: string): void {
    void fetchMembers(this, [id]);
    if (this.state.rooms[id]?.roles !== null) void loadRoster(this, id).catch(() => undefined);
  }

  private onMessage(m: WireMessage): void {
    if (this.state.rooms[m.room] === undefined) return void refreshRooms(this).catch(() => undefined);
    const kind = m.event?.kind;
    if (kind === 'invited' || kind === 'joined' || kind === 'left' || kind === 'removed' || kind === 'role' || kind === 'declined') this.membersChanged(m.room);
    // The user's own role, and the room's settings, live in its summary: read it again.
    if ((m.event?.kind === 'role' && m.event.user === this.state.me.id) || kind === 'name' || kind === 'topic' || kind === 'avatar' || kind === 'join_rule' || kind === 'history') {
      void refreshRooms(this).catch(() => undefined);
    }
    let gap = false;
    const me = this.state.me.id;
    this.updateRoom(m.room, (r) => {
      const next = withLiveMessage(r, m, me);
      gap = next.gap;
      const mentionsMe = m.from !== me && m.seq > r.lastSeq && m.mentions?.includes(me) === true;
      return mentionsMe ? { ...next.room, mentions: next.room.mentions + 1 } : next.room;
    });
    notifyOfMessage(this, m);
    if (gap) void this.fillGap(m.room);
  }

  /** Extends a room's window with newer messages; a gap means the window is reloaded at the latest. */
  addNewer(id: string, messages: readonly WireMessage[]): void {
    let gap = false;
    this.updateRoom(id, (r) => {
      const next = withNewer(r, messages);
      gap = next.gap;
      return { ...next.room, loadingNewer: false };
    });
    if (gap) void this.loadLatest(id);
  }

  private async fillGap(id: string): Promise<void> {
    const r = this.state.rooms[id];
    if (r === undefined) return;
    try {
      const synced = await this.conn.request<ServerFrameOf<'synced'>>({ type: 'sync', since: { [id]: windowEnd(r) }, limit: CATCH_UP_LIMIT });
      for (const s of synced.rooms) s.more ? void this.loadLatest(s.room) : this.addNewer(s.room, s.messages);
    } catch {
      // Dropped: catchUp runs on the next open.
    }
  }

  private watchTyping(): void {
    if (this.typingTimer !== 0) return;
    this.typingTimer = window.setInterval(() => {
      const now = Date.now();
      let any = false;
      for (const r of Object.values(this.state.rooms)) {
        const live = Object.entries(r.typing).filter(([, until]) => until > now);
        if (live.length !== Object.keys(r.typing).length) this.updateRoom(r.id, (x) => ({ ...x, typing: Object.fromEntries(live) }));
        any ||= live.length > 0;
      }
      if (!any) {
        window.clearInterval(this.typingTimer);
        this.typingTimer = 0;
      }
    }, 1000);
  }

  // --- what the user does ---

  openRoom(id: string | null): void {
    const r = id === null ? undefined : this.state.rooms[id];
    if (id === null || r === undefined) return this.patch({ current: null, divider: null, target: null });
    if (id === this.state.current) return;
    if (this.state.current !== null) this.updateRoom(this.state.current, trimmed);
    const divider = r.readSeq < r.lastSeq ? { room: id, after: r.readSeq } : null;
    this.patch({ current: id, divider, target: null });
    if (!r.loaded) void this.loadLatest(id, Math.min(200, Math.max(PAGE, r.lastSeq - r.readSeq + 10)));
    if (r.members === null) void fetchMembers(this, [id]);
    void askPresence(this, [id]);
  }

  /** Opens a room at one message (a search result), loading the stretch of history around it. */
  async openAt(id: string, seq: number): Promise<void> {
    const r = this.state.rooms[id];
    if (r === undefined) return;
    this.patch({ current: id, divider: null, target: { room: id, seq, n: ++this.targetN } });
    if (r.members === null) void fetchMembers(this, [id]);
    if (r.loaded && seq >= windowStart(r) && seq <= windowEnd(r)) return;
    try {
      const page = await this.conn.request<ServerFrameOf<'history'>>({ type: 'history', room: id, before: seq + PAGE / 2, limit: PAGE });
      this.updateRoom(id, (x) => withWindow(x, page.messages, page.more));
    } catch {
      // Offline: the room opens where it was.
    }
  }

  async loadLatest(id: string, limit = PAGE): Promise<void> {
    try {
      const page = await this.conn.request<ServerFrameOf<'history'>>({ type: 'history', room: id, limit });
      this.updateRoom(id, (r) => ({ ...withWindow(r, page.messages, page.more), loadingNewer: false }));
    } catch {
      // Offline: catchUp loads it on the next open.
    }
  }

  async loadOlder(id: string): Promise<void> {
    const r = this.state.rooms[id];
    if (r === undefined || !r.hasOlder || r.loadingOlder || r.messages.length === 0) return;
    this.updateRoom(id, (x) => ({ ...x, loadingOlder: true }));
    try {
      const page = await this.conn.request<ServerFrameOf<'history'>>({ type: 'history', room: id, before: windowStart(r), limit: PAGE });
      this.updateRoom(id, (x) => withOlder(x, page.messages, page.more));
    } catch {
      this.updateRoom(id, (x) => ({ ...x, loadingOlder: false }));
    }
  }

  /** Extends a window that is not at the latest message (after opening a search result) downwards. */
  async loadNewer(id: string): Promise<void> {
    const r = this.state.rooms[id];
    if (r === undefined || atLatest(r) || r.loadingNewer || !r.loaded) return;
    this.updateRoom(id, (x) => ({ ...x, loadingNewer: true }));
    try {
      const synced = await this.conn.request<ServerFrameOf<'synced'>>({ type: 'sync', since: { [id]: windowEnd(r) }, limit: PAGE });
      for (const s of synced.rooms) this.addNewer(s.room, s.messages);
    } catch {
      this.updateRoom(id, (x) => ({ ...x, loadingNewer: false }));
    }
  }

  jumpToLatest(id: string): void {
    this.patch({ target: null });
    const r = this.state.rooms[id];
    if (r !== undefined && !atLatest(r)) void this.loadLatest(id);
  }

  /** Tells the server the user has seen the room up to `seq` (never backwards), at most once a second per room. */
  markRead(id: string, seq: number): void {
    const r = this.state.rooms[id];
    if (r === undefined || seq <= r.readSeq) return;
    this.updateRoom(id, (x) => ({ ...x, readSeq: Math.max(x.readSeq, seq), mentions: seq >= x.lastSeq ? 0 : x.mentions }));
    this.reads.read(id, seq);
  }

  send(id: string, body: string, extras: SendExtras = {}): void {
    const clientMsgId = `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    this.updateRoom(id, (r) => ({ ...r, pending: [...r.pending, { clientMsgId, body, state: 'sending', error: null, ...extras }] }));
    this.transmit(id, clientMsgId);
  }

  /** Sends again with the same clientMsgId: if the first try was stored, the server answers with its ack. */
  retry(id: string, clientMsgId: string): void {
    this.updateRoom(id, (r) => withPending(r, clientMsgId, { state: 'sending', error: null }));
    this.transmit(id, clientMsgId);
  }

  /** Queues a pending message for sending (again); without a socket it waits for the next catch-up. */
  transmit(id: string, clientMsgId: string): void {
    this.outbox.push(id, clientMsgId);
  }

  /** Sends one pending message and applies the answer: the ack, or why it is still pending. */
  private async deliver(id: string, clientMsgId: string): Promise<Delivery> {
    const p = this.state.rooms[id]?.pending.find((x) => x.clientMsgId === clientMsgId);
    if (p === undefined) return { kind: 'done' };
    if (this.state.conn.kind !== 'online') return { kind: 'offline' };
    const files = p.attachments?.map((a) => a.fileId);
    try {
      const ack = await this.conn.request<ServerFrameOf<'ack'>>({
        type: 'send', room: id, body: p.body, clientMsgId,
        ...(p.replyTo !== undefined ? { replyTo: p.replyTo } : {}), ...(files !== undefined && files.length > 0 ? { attachments: files } : {}),
      });
      this.updateRoom(id, (r) => withPending(r, clientMsgId, null));
      this.onMessage({
        room: id, seq: ack.seq, msgId: ack.msgId, from: this.state.me.id, body: p.body, ts: ack.ts,
        ...(p.replyTo !== undefined ? { replyTo: p.replyTo } : {}), ...(p.attachments !== undefined ? { attachments: [...p.attachments] } : {}),
      });
      return { kind: 'done' };
    } catch (caught) {
      const err = caught as Error & { code?: string; retryAfterMs?: number };
      // Refused for rate: still 'sending', resent after the advised wait.
      if (err.code === 'rate_limited') return { kind: 'refused', retryAfterMs: err.retryAfterMs ?? 0 };
      // A dropped socket leaves it 'sending' for the next catchUp. A busy server ("retry shortly": its
      // write queue is full) gets it again after a wait, still ahead of the room's later messages.
      if (err.code === 'unavailable') return this.state.conn.kind !== 'online' ? { kind: 'offline' } : { kind: 'refused', retryAfterMs: err.retryAfterMs ?? BUSY_RETRY_MS };
      // Anything else needs the user.
      this.updateRoom(id, (r) => withPending(r, clientMsgId, { state: 'failed', error: err.message }));
      return { kind: 'done' };
    }
  }

  typing(id: string): void {
    const now = Date.now();
    if (now - (this.typingSentAt.get(id) ?? 0) < TYPING_SEND_EVERY_MS) return;
    if (this.conn.send({ type: 'typing', room: id })) this.typingSentAt.set(id, now);
  }
}

/** A room left in the background keeps only its newest messages, so memory stays bounded however long the tab is open. */
function trimmed(r: RoomState): RoomState {
  if (r.messages.length <= KEEP_IN_BACKGROUND) return r;
  return { ...r, messages: r.messages.slice(-KEEP_IN_BACKGROUND), hasOlder: true };
}
