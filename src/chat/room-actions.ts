import type { DirectoryEntry, InvitedEntry, InviteEntry, MemberEntry, RoomActionFrame, RoomSummary, UserEntry } from '../protocol/frames.js';
import type { Reason } from '../protocol/reasons.js';
import { encodeFrame, type RoomEventName } from '../protocol/server-frames.js';
import type { RoomDone, RoomOp, WriteFailed } from '../store/write/write-ops.js';
import type { Membership, MemberDetail } from './membership.js';
import type { Subscriptions } from './message-actions.js';
import type { Mutes } from './mutes.js';
import type { HistoryVisibility } from './policy.js';
import { roomTopic, type Fanout, type Peer, type WriteQueue } from './ports.js';
import { errorFrame, notMember, overloaded, type Failure } from './replies.js';
import { cleanRoomName, cleanRoomTopic, MAX_ROOM_NAME, MAX_ROOM_TOPIC } from './room-text.js';
import { parseRoomId } from './service.js';

/** The reads behind the room frames (the store's Reader implements them). */
export interface RoomReads {
  memberList(room: number): { members: MemberEntry[]; invited: InvitedEntry[] };
  /** memberList's two halves, for a reader that keeps one of them. */
  joinedMembers(room: number): MemberEntry[];
  invitedTo(room: number): InvitedEntry[];
  directory(limit: number): DirectoryEntry[];
  invitesOf(user: number): InviteEntry[];
  people(query: string | undefined, limit: number): UserEntry[];
  /** A joined member's row from the store, to mend the cache when it missed a change. */
  membershipOf(room: number, user: number): { role: MemberDetail['role']; joined_seq: number; history: HistoryVisibility } | undefined;
}

export interface RoomActionDeps {
  writer: WriteQueue;
  fanout: Fanout;
  membership: Membership;
  subscriptions: Subscriptions;
  reads: RoomReads;
  mutes?: Mutes;
}

export type { RoomOp };

export type RoomOutcome = { ok: true; room: number; created: boolean } | WriteFailed;

const MAX_DIRECTORY = 500;
const MAX_USERS = 200;

const userId = parseRoomId;

const refusal = (id: string | undefined, f: WriteFailed): string => errorFrame(id, f.code, f.message, f.reason);

export const roomFrame = (room: number, event: RoomEventName, user: number): string =>
  encodeFrame({ type: 'room', room: String(room), event, user: String(user) });

/**
 * The room frames: validated here, decided by the writer (which asks the
 * room rules on the rows it reads), and on success applied to the
 * membership cache and socket subscriptions before the caller hears `ok`, so
 * a room a client is told of accepts its sends at once.
 */
export class RoomActions {
  constructor(private readonly deps: RoomActionDeps) {}

  handle(peer: Peer, f: RoomActionFrame): void {
    const me = peer.userId;
    switch (f.type) {
      case 'create_room': {
        const invite = (f.invite ?? []).map(userId);
        if (invite.some((u) => u === null)) return peer.send(errorFrame(f.id, 'bad_request', '"invite" must hold user ids'));
        return this.submit(peer, f.id, {
          k: 'room-create', user: me, name: f.name, topic: f.topic ?? '', invite: invite as number[], joinRule: f.joinRule ?? 'invite', history: f.history ?? 'shared',
        });
      }
      case 'open_direct': {
        const other = userId(f.user);
        if (other === null) return peer.send(errorFrame(f.id, 'bad_request', '"user" must be a user id'));
        return this.submit(peer, f.id, { k: 'room-direct', user: me, peer: other });
      }
      case 'join':
      case 'leave': {
        const room = parseRoomId(f.room);
        if (room === null) return this.notMember(peer, f.id, f.room);
        return this.submit(peer, f.id, { k: f.type === 'join' ? 'room-join' : 'room-leave', room, user: me });
      }
      case 'directory':
        return peer.send(encodeFrame({ type: 'directory', id: f.id, rooms: this.deps.reads.directory(MAX_DIRECTORY) }));
      case 'invites':
        return peer.send(encodeFrame({ type: 'invites', id: f.id, invites: this.deps.reads.invitesOf(me) }));
      case 'users':
        return peer.send(encodeFrame({ type: 'users', id: f.id, users: this.deps.reads.people(f.query, MAX_USERS) }));
      default:
        return this.inRoom(peer, f);
    }
  }

  /** Frames about a room the caller is in: refused at once, from the cache, when they are not. */
  private inRoom(peer: Peer, f: Extract<RoomActionFrame, { room: string }>): void {
    const room = parseRoomId(f.room);
    if (room === null || !this.deps.membership.isMember(room, peer.userId)) return this.notMember(peer, f.id, f.room);
    const me = peer.userId;
    switch (f.type) {
      case 'members': {
        const list = this.deps.reads.memberList(room);
        return peer.send(encodeFrame({ type: 'members', id: f.id, room: f.room, members: list.members, invited: list.invited }));
      }
      case 'invite':
      case 'remove_member':
      case 'set_role': {
        const target = userId(f.user);
        if (target === null) return peer.send(errorFrame(f.id, 'bad_request', '"user" must be a user id'));
        if (f.type === 'invite') return this.submit(peer, f.id, { k: 'room-invite', room, user: me, target });
        if (f.type === 'remove_member') return this.submit(peer, f.id, { k: 'room-remove', room, user: me, target });
        return this.submit(peer, f.id, { k: 'room-role', room, user: me, changes: [{ target, role: f.role }] });
      }
      case 'update_room': {
        return this.submit(peer, f.id, { k: 'room-update', room, user: me, name: f.name, topic: f.topic, avatar: f.avatar, joinRule: f.joinRule, history: f.history });
      }
      case 'join': case 'leave':
        return undefined;
    }
  }

  private notMember(peer: Peer, id: string | undefined, room: string): void {
    const e = notMember(room);
    peer.send(refusal(id, { ...e, reason: 'not_member' satisfies Reason }));
  }

  private submit(peer: Peer, id: string | undefined, op: RoomOp): void {
    this.act(op, (r) => peer.send(r.ok
      ? encodeFrame({ type: 'ok', id, room: String(r.room), ...(op.k === 'room-direct' ? { created: r.created } : {}) })
      : refusal(id, r)));
  }

  /**
   * A room action for a door that answers in its own words (the Matrix
   * door): decided by the writer, applied to the cache and subscriptions,
   * then `done` hears the outcome before the room is told, as over a socket.
   */
  act(raw: RoomOp, done: (outcome: RoomOutcome) => void): void {
    const op = withCleanText(raw);
    if (!('k' in op)) return done(op);
    const queued = this.deps.writer.submit(op, (r) => {
      if (!r.ok) return done(r);
      // The change is durable: a throw while applying it here (the writer logs it) must not cost the caller
      // its answer or the room its news.
      try {
        this.apply(r);
      } finally {
        done({ ok: true, room: r.room, created: r.created });
        this.announce(r);
      }
    });
    if (!queued) done(overloaded);
  }

  /** The cache and the subscriptions first: anything told of the room after this finds them current. */
  private apply(r: RoomDone): void {
    const { membership, subscriptions } = this.deps;
    membership.setHistory(r.room, r.history);
    for (const j of r.joined) {
      membership.add(r.room, j.user, { role: j.role, joinedSeq: j.joinedSeq });
      subscriptions.subscribe(j.user, r.room);
    }
    for (const x of r.roles) membership.setRole(r.room, x.user, x.role);
    for (const u of r.left) {
      membership.remove(r.room, u);
      subscriptions.unsubscribe(u, r.room);
      // A member who comes back starts unmuted: the muted flag lived on the row that is gone.
      this.deps.mutes?.set(r.room, u, false);
    }
  }

  /** The entries to the room (and to whoever just left it, no longer subscribed), then the `room` frames. */
  private announce(r: RoomDone): void {
    const { fanout } = this.deps;
    const topic = roomTopic(r.room);
    for (const frame of r.frames) fanout.publish(topic, frame);
    for (const u of r.left) for (const frame of r.frames) fanout.toUser(u, frame);
    for (const j of r.joined) fanout.toUser(j.user, roomFrame(r.room, r.created ? 'created' : 'joined', j.user));
    for (const u of r.invited) fanout.toUser(u, roomFrame(r.room, 'invited', u));
    for (const u of r.left) {
      fanout.publish(topic, roomFrame(r.room, 'left', u));
      fanout.toUser(u, roomFrame(r.room, 'left', u));
    }
    if (r.updated) fanout.publish(topic, roomFrame(r.room, 'updated', 0));
  }

  /**
   * A room the store lists for the user but the cache does not know (a CLI
   * change the events feed has not brought yet) is mended here, once, so a
   * `rooms` reply never lists a room whose `send` would be refused.
   */
  mend(user: number, summaries: readonly RoomSummary[]): void {
    for (const s of summaries) {
      const room = Number(s.room);
      if (this.deps.membership.isMember(room, user)) continue;
      const row = this.deps.reads.membershipOf(room, user);
      if (row === undefined) continue;
      this.deps.membership.add(room, user, { role: row.role, joinedSeq: row.joined_seq });
      this.deps.membership.setHistory(room, row.history);
      if (this.deps.mutes?.isMuted(room, user) !== true) this.deps.subscriptions.subscribe(user, room);
    }
  }
}

const badName: Failure = { ok: false, code: 'bad_request', message: `"name" must be 1 to ${MAX_ROOM_NAME} characters of text` };
const badTopic: Failure = { ok: false, code: 'bad_request', message: `"topic" must be at most ${MAX_ROOM_TOPIC} characters of text` };

/** A create's or update's name and topic as every door stores them (room-text.ts), or the refusal of what cleaning cannot save. */
function withCleanText(op: RoomOp): RoomOp | Failure {
  if (op.k !== 'room-create' && op.k !== 'room-update') return op;
  const name = op.name === undefined ? undefined : cleanRoomName(op.name);
  if (name === null) return badName;
  const topic = op.topic === undefined ? undefined : cleanRoomTopic(op.topic);
  if (topic === null) return badTopic;
  if (op.k === 'room-update') return { ...op, name, topic };
  return { ...op, name: name ?? op.name, topic: topic ?? op.topic };
}
