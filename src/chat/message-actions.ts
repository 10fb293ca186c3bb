import type { DeleteFrame, EditFrame, NotifyFrame, PresenceFrame, ReactFrame } from '../protocol/frames.js';
import { encodeFrame } from '../protocol/server-frames.js';
import type { ChangeOp } from '../store/write/write-ops.js';
import type { Membership } from './membership.js';
import type { Mutes } from './mutes.js';
import { roomTopic, type Fanout, type Peer, type WriteQueue } from './ports.js';
import type { Presence } from './presence.js';
import { errorFrame, noMessage, notMember, overloaded, type Failure } from './replies.js';
import { parseRoomId } from './service.js';

/** Subscribing a user's live sockets to a room's topic, or not (mute). */
export interface Subscriptions {
  subscribe(user: number, room: number): void;
  unsubscribe(user: number, room: number): void;
}

export interface ActionDeps {
  writer: WriteQueue;
  fanout: Fanout;
  membership: Membership;
  mutes: Mutes;
  presence: Presence;
  subscriptions: Subscriptions;
  editWindowMs: number;
  /** Contents (sha256 hex) a deletion left unreferenced: their bytes may go. */
  onFreed?: (shas: string[]) => void;
}

export type ActionFrame = EditFrame | DeleteFrame | ReactFrame | NotifyFrame | PresenceFrame;

export type MessageChange = Extract<ChangeOp, { k: 'edit' | 'delete' | 'react' }>;
export type ChangeOutcome = { ok: true; cseq: number } | Failure;

/** A peer as the presence rules see it: a socket that may have said "away". */
type PresencePeer = Peer & { away?: boolean };

const ok = (id: string | undefined, cseq?: number): string => encodeFrame({ type: 'ok', id, cseq });

/**
 * Edit, delete, react, notify and presence frames. Like `send`,
 * a change is published to the room only after the writer made it durable,
 * and the requester gets `ok` (with the change's cseq) or an `error`.
 */
export class MessageActions {
  /** Told to clients in the `rooms` reply, so they offer Edit only while the server accepts it. */
  get editWindowSeconds(): number {
    return Math.floor(this.deps.editWindowMs / 1000);
  }

  constructor(private readonly deps: ActionDeps) {}

  handle(peer: PresencePeer, f: ActionFrame): void {
    if (f.type === 'presence' && f.room === undefined) return this.setAway(peer, f);
    const roomId = parseRoomId(f.room ?? '');
    if (roomId === null || !this.deps.membership.isMember(roomId, peer.userId)) {
      const e = notMember(f.room ?? '');
      return peer.send(errorFrame(f.id, e.code, e.message));
    }
    switch (f.type) {
      case 'edit':
        return this.change(peer, f.id, roomId, { k: 'edit', room: roomId, user: peer.userId, seq: f.seq, body: f.body, windowMs: this.deps.editWindowMs });
      case 'delete':
        return this.change(peer, f.id, roomId, { k: 'delete', room: roomId, user: peer.userId, seq: f.seq });
      case 'react':
        return this.change(peer, f.id, roomId, { k: 'react', room: roomId, user: peer.userId, seq: f.seq, emoji: f.emoji, on: f.on });
      case 'notify':
        return this.notify(peer, f, roomId);
      case 'presence':
        return peer.send(encodeFrame({ type: 'presence', id: f.id, room: String(roomId), ...this.deps.presence.snapshot(roomId) }));
    }
  }

  private change(peer: Peer, id: string | undefined, room: number, op: MessageChange): void {
    this.apply(op, (r) => peer.send(r.ok ? ok(id, r.cseq) : errorFrame(id, r.code, r.message, r.reason)));
  }

  /**
   * An edit, deletion or reaction by `op.user`, for a door that answers in its
   * own words (the Matrix door): `done` hears the outcome, then the change is
   * published like one made over a socket. The caller checked membership.
   */
  apply(op: MessageChange, done: (outcome: ChangeOutcome) => void): void {
    const room = op.room;
    if (op.seq < this.deps.membership.firstSeq(room, op.user)) return done(noMessage(op.seq));
    const queued = this.deps.writer.submit(op, (r) => {
      if (!r.ok) return done(r);
      done({ ok: true, cseq: r.cseq });
      if (r.frame !== undefined) {
        this.deps.fanout.publish(roomTopic(room), r.frame);
        // As with a send: an edit that mentions someone reaches them even where they muted the room.
        for (const m of this.deps.mutes.mentionedWhoMuted(room, op.user, r.mentions)) this.deps.fanout.toUser(m, r.frame);
      }
      if (r.freed !== undefined && r.freed.length > 0) this.deps.onFreed?.(r.freed);
    });
    if (!queued) done(overloaded);
  }

  private notify(peer: Peer, f: NotifyFrame, room: number): void {
    const queued = this.deps.writer.submit({ k: 'notify', room, user: peer.userId, muted: f.muted, level: f.level }, (r) => {
      if (!r.ok) return peer.send(errorFrame(f.id, r.code, r.message));
      if (f.muted !== undefined && this.deps.mutes.set(room, peer.userId, f.muted) && this.deps.membership.isMember(room, peer.userId)) {
        if (f.muted) this.deps.subscriptions.unsubscribe(peer.userId, room);
        else this.deps.subscriptions.subscribe(peer.userId, room);
      }
      peer.send(ok(f.id));
    });
    if (!queued) peer.send(errorFrame(f.id, overloaded.code, overloaded.message));
  }

  private setAway(peer: PresencePeer, f: PresenceFrame): void {
    const away = f.state === 'away';
    if ((peer.away ?? false) !== away) {
      peer.away = away;
      this.deps.presence.socketAway(peer.userId, away);
    }
    if (f.id !== undefined) peer.send(ok(f.id));
  }
}
