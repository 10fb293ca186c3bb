import type { AckFields, ClientFrame, SearchHit, HistoryFrame, ReadFrame, SearchFrame, SendFrame, SyncFrame, TypingFrame } from '../protocol/frames.js';
import type { FrameLimits } from '../protocol/parse.js';
import { encodeFrame, type RateLimits } from '../protocol/server-frames.js';
import type { Page } from '../store/read/reader.js';
import type { Membership } from './membership.js';
import type { MessageActions } from './message-actions.js';
import type { Mutes } from './mutes.js';
import type { Profiles } from './profiles.js';
import { ReadReceipts, type WindowTimer } from './read-receipts.js';
import { roomTopic, type Fanout, type HistorySource, type Peer, type SearchSource, type WriteQueue } from './ports.js';
import { errorFrame, noMessage, notMember, overloaded, type Failure } from './replies.js';
import { readSync, type SyncAsk } from './sync-reply.js';
import type { RoomActions } from './room-actions.js';
import type { TypingState } from './typing.js';

export interface ChatDeps {
  history: HistorySource;
  writer: WriteQueue;
  fanout: Fanout;
  membership: Membership;
  search: SearchSource;
  limits: FrameLimits;
  /** Most messages, and most change entries, in one `synced` reply over all its rooms. */
  maxSyncTotal: number;
  /** Where a sync's reads run; absent: at once. The server passes a TurnQueue so a storm of syncs yields between them. */
  deferReads?: (job: () => void) => boolean;
  onCommitted?: (count: number) => void;
  /** Edit, delete, react, notify, presence frames; muted rooms (mentions still reach the muted). */
  actions: MessageActions;
  /** The room frames (create, invite, join, leave, update, roles, members, directory, invites, users); absent: refused. */
  rooms?: RoomActions;
  mutes: Mutes;
  /** `set_profile` and `profile` frames (absent: refused as unavailable). */
  profiles?: Profiles;
  /** Markers that move within this window reach their room as one frame (default 200 ms; 0: each at once). */
  receiptWindowMs?: number;
  /** Replaces the window's timer and clock (tests end windows by hand). */
  receiptTimer?: WindowTimer;
  /** The frame rates the gateway enforces, announced in the `rooms` reply so clients can pace themselves. */
  rateLimits: RateLimits;
  /** Told of a failure in a continuation (a search's answer) that no caller's try can see. */
  onError?: (err: unknown, where: { frame: string; user: number }) => void;
  /** Who is typing where, for doors that report typing as a state (Matrix); absent: not kept. */
  typing?: TypingState;
}

/** How long a native `typing` notice counts as typing, for doors that keep typing as a state. */
export const NATIVE_TYPING_MS = 6_000;

export type { RateLimits };

/** What a `send` may carry besides its body. */
export interface SendExtras { replyTo?: number; attachments?: string[] }

/** Answers a send whose own answer could not be delivered (the socket failed in between). */
const ackUndelivered: Failure = {
  ok: false, code: 'internal', message: 'the ack could not be delivered; resend with the same clientMsgId to learn the outcome',
};

/**
 * Gives a send its outcome. When that throws, the sender is answered
 * `internal` instead (if even that fails, nothing more can be said), and the
 * error is rethrown, or returned when `rethrow` is false so the caller can
 * finish its other duties first: the writer reports it.
 */
function answer(done: (outcome: SendOutcome) => void, outcome: SendOutcome, rethrow = true): { error: unknown } | undefined {
  try {
    done(outcome);
    return undefined;
  } catch (error) {
    try {
      done(ackUndelivered);
    } catch {
      // The first error is the one reported.
    }
    if (rethrow) throw error;
    return { error };
  }
}

const DEFAULT_HISTORY = 50;
const DEFAULT_SYNC = 100;
const DEFAULT_SEARCH = 20;
/** How long a sync refused for a full queue is told to wait: a few slices of the queue. */
const SYNC_RETRY_MS = 1_000;
const DEFAULT_RECEIPT_WINDOW_MS = 200;
/** The reply to a `ping` without an id, encoded once: clients ping often. */
const PONG = encodeFrame({ type: 'pong' });

/** Room ids are opaque on the wire; inside they are row ids. Anything else names no room. */
export function parseRoomId(room: string): number | null {
  return /^[1-9][0-9]{0,14}$/.test(room) ? Number(room) : null;
}

export type SendOutcome = ({ ok: true } & AckFields) | Failure;
export type SearchOutcome = { ok: true; hits: SearchHit[] } | Failure;

/** What a search asks: `rooms` (room ids as the wire names them) narrows it to those; `before` is a message id, for paging. */
export interface SearchAsk { query: string; rooms?: readonly string[]; limit?: number; before?: number }
export type PageOutcome = ({ ok: true } & Page) | Failure;

/**
 * The rules of the chat: who may post and read where, and what every frame
 * does. Knows nothing of sockets or SQL; tested without a network.
 */
export class ChatService {
  private readonly receipts: ReadReceipts;

  constructor(private readonly deps: ChatDeps) {
    this.receipts = new ReadReceipts({
      writer: deps.writer, fanout: deps.fanout, timer: deps.receiptTimer,
      windowMs: deps.receiptWindowMs ?? DEFAULT_RECEIPT_WINDOW_MS,
    });
  }

  /** Stops the receipts timer; markers already written stay written. */
  close(): void {
    this.receipts.close();
  }

  handle(peer: Peer, frame: ClientFrame): void {
    switch (frame.type) {
      case 'send': return this.onSend(peer, frame);
      case 'sync': return this.onSync(peer, frame);
      case 'history': return this.onHistory(peer, frame);
      case 'search': return this.onSearch(peer, frame);
      case 'read': return this.onRead(peer, frame);
      case 'typing': return this.onTyping(peer, frame);
      case 'rooms': {
        const rooms = this.deps.history.rooms(peer.userId);
        this.deps.rooms?.mend(peer.userId, rooms);
        return peer.send(encodeFrame({
          type: 'rooms', id: frame.id, rooms,
          editWindowSeconds: this.deps.actions.editWindowSeconds,
          rateLimits: this.deps.rateLimits,
        }));
      }
      case 'ping':
        return peer.send(frame.id === undefined ? PONG : encodeFrame({ type: 'pong', id: frame.id }));
      case 'edit': case 'delete': case 'react': case 'notify': case 'presence':
        return this.deps.actions.handle(peer, frame);
      case 'set_profile': case 'profile':
        if (this.deps.profiles === undefined) return peer.send(errorFrame(frame.id, 'unavailable', 'profiles are not served here'));
        return this.deps.profiles.handle(peer, frame);
      case 'create_room': case 'open_direct': case 'invite': case 'join': case 'leave': case 'update_room':
      case 'set_role': case 'remove_member': case 'members': case 'directory': case 'invites': case 'users':
        if (this.deps.rooms === undefined) return peer.send(errorFrame(frame.id, 'internal', 'room frames are not available on this server'));
        return this.deps.rooms.handle(peer, frame);
    }
  }

  /**
   * Stores a message and calls back once it is durable; only then is it
   * published to the room. Shared by the WS `send` frame and the HTTP route.
   */
  send(user: number, room: string, body: string, clientMsgId: string, done: (outcome: SendOutcome) => void, extras: SendExtras = {}): void {
    const roomId = parseRoomId(room);
    if (roomId === null || !this.deps.membership.isMember(roomId, user)) return done(notMember(room));
    if (extras.replyTo !== undefined && extras.replyTo < this.deps.membership.firstSeq(roomId, user)) return done(noMessage(extras.replyTo, 'replyTo: '));
    const op = { k: 'send' as const, room: roomId, user, clientMsgId, body, replyTo: extras.replyTo, attachments: extras.attachments };
    // The room's ended receipts window travels with its message: one commit, one write per member.
    const queued = this.deps.writer.together(() => {
      this.receipts.beforeMessage(roomId);
      return this.deps.writer.submit(op, (r) => {
        if (!r.ok) return answer(done, r);
        // Ack first, so the sender's socket can match its `message` to the pending send.
        const ackFailed = answer(done, { ok: true, room, seq: r.seq, msgId: String(r.msgId), ts: r.ts }, false);
        if (r.frame !== undefined) {
          this.deps.fanout.publish(roomTopic(roomId), r.frame);
          // A mention reaches the mentioned even where they muted the room (they are not on its topic).
          // Checked first: most messages mention nobody, and this is the per-message path.
          if (r.mentions !== undefined && r.mentions.length > 0) {
            for (const m of this.deps.mutes.mentionedWhoMuted(roomId, user, r.mentions)) this.deps.fanout.toUser(m, r.frame);
          }
          this.deps.onCommitted?.(1);
        }
        // The room has its message; now the writer may report the sender's failed ack.
        if (ackFailed !== undefined) throw ackFailed.error;
      });
    });
    if (!queued) done(overloaded);
  }

  historyPage(user: number, room: string, before: number | undefined, limit: number | undefined): PageOutcome {
    const roomId = parseRoomId(room);
    if (roomId === null || !this.deps.membership.isMember(roomId, user)) return notMember(room);
    const floor = this.deps.membership.firstSeq(roomId, user);
    if (floor > 1 && before !== undefined && before <= floor) return { ok: true, messages: [], more: false };
    const page = this.deps.history.history(roomId, before, limit ?? DEFAULT_HISTORY, user);
    if (floor === 1) return { ok: true, ...page };
    // A `history: joined` room: nothing before the member's join (cut after the read: one page, at most a page read).
    const messages = page.messages.filter((m) => m.seq >= floor);
    return { ok: true, messages, more: messages.length === page.messages.length && page.more && (messages[0]?.seq ?? floor) > floor };
  }

  private onSend(peer: Peer, f: SendFrame): void {
    this.send(peer.userId, f.room, f.body, f.clientMsgId, (o) => {
      peer.send(o.ok
        ? encodeFrame({ type: 'ack', id: f.id, room: o.room, seq: o.seq, msgId: o.msgId, ts: o.ts })
        : errorFrame(f.id, o.code, o.message));
    }, { replyTo: f.replyTo, attachments: f.attachments });
  }

  private onHistory(peer: Peer, f: HistoryFrame): void {
    const page = this.historyPage(peer.userId, f.room, f.before, f.limit);
    peer.send(page.ok
      ? encodeFrame({ type: 'history', id: f.id, room: f.room, messages: page.messages, more: page.more, horizon: page.horizon })
      : errorFrame(f.id, page.code, page.message));
  }

  private onSync(peer: Peer, f: SyncFrame): void {
    if (this.deps.deferReads === undefined) return this.answerSync(peer, f);
    // Deferred, a throw is past the frame handler's try: it is answered here as there, and told.
    const job = (): void => {
      try {
        this.answerSync(peer, f);
      } catch (err) {
        this.deps.onError?.(err, { frame: 'sync', user: peer.userId });
        peer.send(errorFrame(f.id, 'internal', 'internal error; nothing was changed'));
      }
    };
    if (!this.deps.deferReads(job)) {
      peer.send(encodeFrame({ type: 'error', id: f.id, code: overloaded.code, message: 'too many syncs are waiting; retry shortly', retryAfterMs: SYNC_RETRY_MS }));
    }
  }

  /** Membership is checked here, when the rows are read, so a deferred sync sees who is a member then. */
  private answerSync(peer: Peer, f: SyncFrame): void {
    const asks: SyncAsk[] = [];
    const byRoom = new Map<string, SyncAsk>();
    for (const [room, afterSeq] of f.since) {
      const ask = { room, roomId: 0, afterSeq };
      asks.push(ask);
      byRoom.set(room, ask);
    }
    for (const [room, afterCseq] of f.changesSince ?? []) {
      const ask = byRoom.get(room);
      if (ask !== undefined) ask.afterCseq = afterCseq;
      else asks.push({ room, roomId: 0, afterCseq });
    }
    // Every room is checked before any is read: a refused sync costs no reads.
    for (const ask of asks) {
      const roomId = parseRoomId(ask.room);
      if (roomId === null || !this.deps.membership.isMember(roomId, peer.userId)) {
        const e = notMember(ask.room);
        return peer.send(errorFrame(f.id, e.code, e.message));
      }
      ask.roomId = roomId;
      ask.floorSeq = this.deps.membership.firstSeq(roomId, peer.userId);
    }
    const bounds = { perRoom: f.limit ?? DEFAULT_SYNC, total: this.deps.maxSyncTotal };
    peer.send(encodeFrame({ type: 'synced', id: f.id, rooms: readSync(this.deps.history, asks, bounds, peer.userId) }));
  }

  private onRead(peer: Peer, f: ReadFrame): void {
    const roomId = parseRoomId(f.room);
    if (roomId === null || !this.deps.membership.isMember(roomId, peer.userId)) {
      const e = notMember(f.room);
      return peer.send(errorFrame(f.id, e.code, e.message));
    }
    this.receipts.read(peer, roomId, f.seq, f.id);
  }

  private onTyping(peer: Peer, f: TypingFrame): void {
    const roomId = parseRoomId(f.room);
    if (roomId === null || !this.deps.membership.isMember(roomId, peer.userId)) {
      const e = notMember(f.room);
      return peer.send(errorFrame(f.id, e.code, e.message));
    }
    peer.publishOthers(roomTopic(roomId), encodeFrame({ type: 'typing', room: f.room, user: String(peer.userId) }));
    this.deps.typing?.set(roomId, peer.userId, true, Date.now() + NATIVE_TYPING_MS);
  }

  /**
   * Typing from a door that has no socket (Matrix): native clients get the
   * same `typing` notice (a stop sends nothing: theirs lapses on its own).
   * The caller checked membership.
   */
  typing(user: number, room: number, typing: boolean, until: number): void {
    this.deps.typing?.set(room, user, typing, until);
    if (typing) this.deps.fanout.publish(roomTopic(room), encodeFrame({ type: 'typing', room: String(room), user: String(user) }));
  }

  /**
   * Moves a member's read marker from a door that has no socket: the same
   * window and announcement as a `read` frame; a refusal has no one to tell
   * (the marker simply stays). The caller checked membership.
   */
  markRead(user: number, room: number, seq: number): void {
    this.receipts.read({ userId: user, send: () => undefined, publishOthers: () => undefined }, room, seq, undefined);
  }

  /**
   * Every door's search: over the user's rooms, or the named ones when each is
   * theirs (else the not-member refusal, the same as for a room that does not
   * exist), hits before their join left out of `history: joined` rooms.
   * Resolves, never rejects: a failing search thread is `unavailable`.
   */
  search(user: number, ask: SearchAsk): Promise<SearchOutcome> {
    const { membership } = this.deps;
    let rooms: number[];
    if (ask.rooms !== undefined) {
      for (const r of ask.rooms) {
        const id = parseRoomId(r);
        if (id === null || !membership.isMember(id, user)) return Promise.resolve(notMember(r.slice(0, 64)));
      }
      rooms = ask.rooms.map(Number);
    } else {
      rooms = [...membership.roomsOf(user)];
    }
    const room = rooms.length === 1 && ask.rooms !== undefined ? rooms[0] : undefined;
    // Where the member reads from their join on, so do their hits: asked of the index, so a page is never short.
    const fromSeq = new Map<number, number>();
    for (const r of rooms) {
      const first = membership.firstSeq(r, user);
      if (first > 1) fromSeq.set(r, first);
    }
    return this.deps.search
      .search({ user, query: ask.query, room, limit: ask.limit ?? DEFAULT_SEARCH, before: ask.before, ...(fromSeq.size > 0 ? { fromSeq } : {}) }, rooms)
      .then(
        (hits): SearchOutcome => ({ ok: true, hits: hits.filter((h) => h.seq >= membership.firstSeq(Number(h.room), user)) }),
        (err: Error): SearchOutcome => ({ ok: false, code: 'unavailable', message: `search failed: ${err.message}` }),
      );
  }

  private onSearch(peer: Peer, f: SearchFrame): void {
    this.search(peer.userId, { query: f.query, rooms: f.room === undefined ? undefined : [f.room], limit: f.limit, before: f.before })
      .then((out) => peer.send(out.ok ? encodeFrame({ type: 'results', id: f.id, hits: out.hits }) : errorFrame(f.id, out.code, out.message)))
      // Answering runs after the frame's handler returned: a throw here would be an unhandled rejection.
      .catch((err: unknown) => {
        this.deps.onError?.(err, { frame: 'search', user: peer.userId });
        try {
          peer.send(errorFrame(f.id, 'internal', 'internal error'));
        } catch {
          // The socket itself is failing; the log line is what is left.
        }
      });
  }
}
