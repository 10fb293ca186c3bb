import type { AckFields, ClientFrame, HistoryFrame, ReadFrame, SearchFrame, SendFrame, SyncFrame, TypingFrame } from '../protocol/frames.js';
import type { FrameLimits } from '../protocol/parse.js';
import type { Page } from '../store/reader.js';
import type { Membership } from './membership.js';
import type { MessageActions } from './message-actions.js';
import type { Mutes } from './mutes.js';
import { roomTopic, type Fanout, type HistorySource, type Peer, type SearchSource, type WriteQueue } from './ports.js';
import { errorFrame, notMember, overloaded, type Failure } from './replies.js';
import { readSync, type SyncAsk } from './sync-reply.js';

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
  deferReads?: (job: () => void) => void;
  onCommitted?: (count: number) => void;
  /** Issue 7: edit, delete, react, notify, presence frames; muted rooms (mentions still reach the muted). */
  actions?: MessageActions;
  mutes?: Mutes;
}

/** What a `send` may carry besides its body (issue 7). */
export interface SendExtras { replyTo?: number; attachments?: string[] }

const DEFAULT_HISTORY = 50;
const DEFAULT_SYNC = 100;
const DEFAULT_SEARCH = 20;

/** Room ids are opaque on the wire; inside they are row ids. Anything else names no room. */
export function parseRoomId(room: string): number | null {
  return /^[1-9][0-9]{0,14}$/.test(room) ? Number(room) : null;
}

export type SendOutcome = ({ ok: true } & AckFields) | Failure;
export type PageOutcome = ({ ok: true } & Page) | Failure;

/**
 * The rules of the chat: who may post and read where, and what every frame
 * does. Knows nothing of sockets or SQL; tested without a network.
 */
export class ChatService {
  constructor(private readonly deps: ChatDeps) {}

  handle(peer: Peer, frame: ClientFrame): void {
    switch (frame.type) {
      case 'send': return this.onSend(peer, frame);
      case 'sync': return this.onSync(peer, frame);
      case 'history': return this.onHistory(peer, frame);
      case 'search': return this.onSearch(peer, frame);
      case 'read': return this.onRead(peer, frame);
      case 'typing': return this.onTyping(peer, frame);
      case 'rooms':
        return peer.send(JSON.stringify({
          type: 'rooms', id: frame.id, rooms: this.deps.history.rooms(peer.userId),
          ...(this.deps.actions === undefined ? {} : { editWindowSeconds: this.deps.actions.editWindowSeconds }),
        }));
      case 'ping':
        return peer.send(frame.id === undefined ? '{"type":"pong"}' : JSON.stringify({ type: 'pong', id: frame.id }));
      case 'edit': case 'delete': case 'react': case 'notify': case 'presence':
        if (this.deps.actions === undefined) return peer.send(errorFrame(frame.id, 'bad_request', 'unknown frame type'));
        return this.deps.actions.handle(peer, frame);
    }
  }

  /**
   * Stores a message and calls back once it is durable; only then is it
   * published to the room. Shared by the WS `send` frame and the HTTP route.
   */
  send(user: number, room: string, body: string, clientMsgId: string, done: (outcome: SendOutcome) => void, extras: SendExtras = {}): void {
    const roomId = parseRoomId(room);
    if (roomId === null || !this.deps.membership.isMember(roomId, user)) return done(notMember(room));
    const op = { k: 'send' as const, room: roomId, user, clientMsgId, body, replyTo: extras.replyTo, attachments: extras.attachments };
    const queued = this.deps.writer.submit(op, (r) => {
      if (!r.ok) return done(r);
      // Ack first, so the sender's socket can match its `message` to the pending send.
      done({ ok: true, room, seq: r.seq, msgId: String(r.msgId), ts: r.ts });
      if (r.frame !== undefined) {
        this.deps.fanout.publish(roomTopic(roomId), r.frame);
        // A mention reaches the mentioned even where they muted the room (they are not on its topic).
        // Checked first: most messages mention nobody, and this is the per-message path.
        if (r.mentions !== undefined && r.mentions.length > 0 && this.deps.mutes !== undefined) {
          for (const m of this.deps.mutes.mentionedWhoMuted(roomId, user, r.mentions)) this.deps.fanout.toUser(m, r.frame);
        }
        this.deps.onCommitted?.(1);
      }
    });
    if (!queued) done(overloaded);
  }

  historyPage(user: number, room: string, before: number | undefined, limit: number | undefined): PageOutcome {
    const roomId = parseRoomId(room);
    if (roomId === null || !this.deps.membership.isMember(roomId, user)) return notMember(room);
    return { ok: true, ...this.deps.history.history(roomId, before, limit ?? DEFAULT_HISTORY, user) };
  }

  private onSend(peer: Peer, f: SendFrame): void {
    this.send(peer.userId, f.room, f.body, f.clientMsgId, (o) => {
      peer.send(o.ok
        ? JSON.stringify({ type: 'ack', id: f.id, room: o.room, seq: o.seq, msgId: o.msgId, ts: o.ts })
        : errorFrame(f.id, o.code, o.message));
    }, { replyTo: f.replyTo, attachments: f.attachments });
  }

  private onHistory(peer: Peer, f: HistoryFrame): void {
    const page = this.historyPage(peer.userId, f.room, f.before, f.limit);
    peer.send(page.ok
      ? JSON.stringify({ type: 'history', id: f.id, room: f.room, messages: page.messages, more: page.more, horizon: page.horizon })
      : errorFrame(f.id, page.code, page.message));
  }

  private onSync(peer: Peer, f: SyncFrame): void {
    if (this.deps.deferReads === undefined) return this.answerSync(peer, f);
    this.deps.deferReads(() => this.answerSync(peer, f));
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
    }
    const bounds = { perRoom: f.limit ?? DEFAULT_SYNC, total: this.deps.maxSyncTotal };
    peer.send(JSON.stringify({ type: 'synced', id: f.id, rooms: readSync(this.deps.history, asks, bounds, peer.userId) }));
  }

  private onRead(peer: Peer, f: ReadFrame): void {
    const roomId = parseRoomId(f.room);
    if (roomId === null || !this.deps.membership.isMember(roomId, peer.userId)) {
      const e = notMember(f.room);
      return peer.send(errorFrame(f.id, e.code, e.message));
    }
    const queued = this.deps.writer.submit({ k: 'read', room: roomId, user: peer.userId, seq: f.seq }, (r) => {
      if (!r.ok) return peer.send(errorFrame(f.id, r.code, r.message));
      if (r.moved) {
        this.deps.fanout.publish(roomTopic(roomId), JSON.stringify({ type: 'receipt', room: f.room, user: String(peer.userId), seq: r.seq }));
      }
    });
    if (!queued) peer.send(errorFrame(f.id, overloaded.code, overloaded.message));
  }

  private onTyping(peer: Peer, f: TypingFrame): void {
    const roomId = parseRoomId(f.room);
    if (roomId === null || !this.deps.membership.isMember(roomId, peer.userId)) {
      const e = notMember(f.room);
      return peer.send(errorFrame(f.id, e.code, e.message));
    }
    peer.publishOthers(roomTopic(roomId), JSON.stringify({ type: 'typing', room: f.room, user: String(peer.userId) }));
  }

  private onSearch(peer: Peer, f: SearchFrame): void {
    let roomFilter: number | undefined;
    if (f.room !== undefined) {
      const roomId = parseRoomId(f.room);
      if (roomId === null || !this.deps.membership.isMember(roomId, peer.userId)) {
        const e = notMember(f.room);
        return peer.send(errorFrame(f.id, e.code, e.message));
      }
      roomFilter = roomId;
    }
    const rooms = roomFilter !== undefined ? [roomFilter] : [...this.deps.membership.roomsOf(peer.userId)];
    this.deps.search
      .search({ user: peer.userId, query: f.query, room: roomFilter, limit: f.limit ?? DEFAULT_SEARCH, before: f.before }, rooms)
      .then(
        (hits) => peer.send(JSON.stringify({ type: 'results', id: f.id, hits })),
        (err: Error) => peer.send(errorFrame(f.id, 'unavailable', `search failed: ${err.message}`)),
      );
  }
}
