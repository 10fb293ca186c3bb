import type { Statement } from 'better-sqlite3';
import type { HistoryName, JoinRuleName, RoomEvent, RoomRoleName } from '../../protocol/frames.js';
import { REASONS, type Reason } from '../../protocol/reasons.js';
import type { Db } from '../db/database.js';
import { AvatarRefs } from '../files/avatar-files.js';
import type { RoomRules, RuleAction, RuleRoom, RuleStanding } from './room-rules.js';
import type { JoinedMember, RoomDone, RoomOp, WriteFailed } from './write-ops.js';

/** Appends one timeline entry with the writer's cached seq, hash and id; returns its `message` frame. */
export type AppendEntry = (room: number, actor: number, event: RoomEvent, now: number) => { seq: number; frame: string };

interface RoomRow { kind: 'group' | 'direct'; name: string; topic: string; avatar: string | null; join_rule: JoinRuleName; history: HistoryName }
interface CountRow { joined: number; owners: number }
interface MemberRow { role: RoomRoleName; admin: number }
interface UserRow { disabled: number; name: string }

const refuse = (reason: Reason, detail?: string): WriteFailed => ({
  ok: false, code: REASONS[reason].code, reason, message: detail ?? REASONS[reason].description,
});
const noRoom: WriteFailed = refuse('not_member');

/**
 * Room actions, applied on the writer thread inside the batch's transaction:
 * each reads the rows it decides on (the room, the counts, the actor's and the
 * target's standing), asks the room rules, changes members / room_standing /
 * rooms, and appends the timeline entries. A refusal changes nothing: every
 * check runs before the first write.
 */
export class RoomChanges {
  private readonly s: Record<keyof typeof SQL, Statement>;
  /** A room's avatar is an avatar upload it holds a reference to, so the orphan collector keeps it. */
  private readonly avatars: AvatarRefs;

  constructor(db: Db, private readonly rules: RoomRules, private readonly append: AppendEntry, private readonly lastSeq: (room: number) => number | undefined) {
    const s = {} as Record<keyof typeof SQL, Statement>;
    for (const k of Object.keys(SQL) as Array<keyof typeof SQL>) s[k] = db.prepare(SQL[k]);
    this.s = s;
    this.avatars = new AvatarRefs(db, rules);
  }

  apply(op: RoomOp, now: number): RoomDone | WriteFailed {
    switch (op.k) {
      case 'room-create': return this.create(op, now);
      case 'room-direct': return this.direct(op, now);
      case 'room-invite': return this.invite(op, now);
      case 'room-join': return this.join(op, now);
      case 'room-leave': return this.leave(op, now);
      case 'room-update': return this.update(op, now);
      case 'room-role': return this.setRole(op, now);
      case 'room-remove': return this.remove(op, now);
    }
  }

  private room(id: number): RoomRow | undefined {
    return this.s.room.get(id) as RoomRow | undefined;
  }

  private facts(id: number, r: RoomRow): RuleRoom {
    const c = this.s.counts.get(id) as CountRow;
    return { kind: r.kind, joinRule: r.join_rule, owners: c.owners, joined: c.joined };
  }

  /** A server admin counts as an owner in every group room they are joined to. */
  private standing(room: number, user: number): RuleStanding | null {
    const m = this.s.member.get(room, user) as MemberRow | undefined;
    if (m !== undefined) return { state: 'joined', role: m.admin !== 0 ? 'owner' : m.role };
    const st = this.s.standing.get(room, user) as { state: 'invited' | 'left' | 'removed' } | undefined;
    return st === undefined ? null : { state: st.state, role: 'member' };
  }

  private done(room: number, history: HistoryName, part: Partial<RoomDone>): RoomDone {
    return { ok: true, room, frames: [], joined: [], left: [], invited: [], roles: [], history, updated: false, created: false, ...part };
  }

  /** Joins `user` after appending their entry: joined_seq is the seq before it, so they read their own join. */
  private addMember(room: number, user: number, role: RoomRoleName, actor: number, event: RoomEvent, now: number): { member: JoinedMember; frame: string } {
    const before = this.lastSeq(room) ?? 0;
    const { seq, frame } = this.append(room, actor, event, now);
    this.s.dropStanding.run(room, user);
    this.s.insertMember.run(room, user, now, role, before, seq);
    return { member: { user, role, joinedSeq: before }, frame };
  }

  private create(op: Extract<RoomOp, { k: 'room-create' }>, now: number): RoomDone | WriteFailed {
    for (const u of op.invite) {
      if (u === op.user) return { ok: false, code: 'bad_request', message: 'the creator cannot invite themselves' };
      const row = this.s.user.get(u) as UserRow | undefined;
      if (row === undefined || row.disabled !== 0) return refuse('user_unavailable', `user ${u} does not exist or is disabled`);
    }
    if (this.s.groupNamed.get(op.name) !== undefined) return refuse('name_taken', `a room named ${JSON.stringify(op.name)} already exists`);
    const room = Number(this.s.insertRoom.run(op.name, 'group', null, now, op.topic, op.joinRule, op.history).lastInsertRowid);
    const frames: string[] = [];
    const creator = this.addMember(room, op.user, 'owner', op.user, { kind: 'created', name: op.name }, now);
    frames.push(creator.frame);
    for (const u of op.invite) {
      this.s.putStanding.run(room, u, 'invited', op.user, now);
      frames.push(this.append(room, op.user, { kind: 'invited', user: String(u) }, now).frame);
    }
    return this.done(room, op.history, { frames, joined: [creator.member], invited: [...op.invite], created: true });
  }

  /** The pair's one direct room; asking again rejoins the asker if they had left it. */
  private direct(op: Extract<RoomOp, { k: 'room-direct' }>, now: number): RoomDone | WriteFailed {
    if (op.peer === op.user) return { ok: false, code: 'bad_request', message: 'a direct room needs two different people' };
    const peer = this.s.user.get(op.peer) as UserRow | undefined;
    const me = this.s.user.get(op.user) as UserRow | undefined;
    if (peer === undefined || peer.disabled !== 0 || me === undefined) return refuse('user_unavailable');
    const key = op.user < op.peer ? `${op.user}:${op.peer}` : `${op.peer}:${op.user}`;
    const found = this.s.directByKey.get(key) as { id: number } | undefined;
    if (found !== undefined) {
      if (this.s.member.get(found.id, op.user) !== undefined) return this.done(found.id, 'shared', {});
      const back = this.addMember(found.id, op.user, 'member', op.user, { kind: 'joined' }, now);
      return this.done(found.id, 'shared', { frames: [back.frame], joined: [back.member] });
    }
    const name = `${me.name} & ${peer.name}`;
    const room = Number(this.s.insertRoom.run(name, 'direct', key, now, '', 'invite', 'shared').lastInsertRowid);
    const a = this.addMember(room, op.user, 'member', op.user, { kind: 'created', name }, now);
    this.s.insertMember.run(room, op.peer, now, 'member', 0, 0);
    return this.done(room, 'shared', { frames: [a.frame], joined: [a.member, { user: op.peer, role: 'member', joinedSeq: 0 }], created: true });
  }

  private invite(op: Extract<RoomOp, { k: 'room-invite' }>, now: number): RoomDone | WriteFailed {
    const r = this.room(op.room);
    if (r === undefined) return noRoom;
    const u = this.s.user.get(op.target) as UserRow | undefined;
    const verdict = this.rules.mayInvite(this.facts(op.room, r), this.standing(op.room, op.user), {
      exists: u !== undefined, disabled: (u?.disabled ?? 0) !== 0, standing: this.standing(op.room, op.target),
    });
    if (!verdict.ok) return refuse(verdict.reason);
    this.s.putStanding.run(op.room, op.target, 'invited', op.user, now);
    const { frame } = this.append(op.room, op.user, { kind: 'invited', user: String(op.target) }, now);
    return this.done(op.room, r.history, { frames: [frame], invited: [op.target] });
  }

  private join(op: Extract<RoomOp, { k: 'room-join' }>, now: number): RoomDone | WriteFailed {
    const r = this.room(op.room);
    if (r === undefined) return noRoom;
    const verdict = this.rules.mayJoin(this.facts(op.room, r), this.standing(op.room, op.user));
    if (!verdict.ok) return refuse(verdict.reason);
    const j = this.addMember(op.room, op.user, 'member', op.user, { kind: 'joined' }, now);
    return this.done(op.room, r.history, { frames: [j.frame], joined: [j.member] });
  }

  private leave(op: Extract<RoomOp, { k: 'room-leave' }>, now: number): RoomDone | WriteFailed {
    const r = this.room(op.room);
    if (r === undefined) return noRoom;
    const me = this.standing(op.room, op.user);
    const verdict = this.rules.mayLeave(this.facts(op.room, r), me);
    if (!verdict.ok) return refuse(verdict.reason);
    const joined = me?.state === 'joined';
    const { frame } = this.append(op.room, op.user, { kind: joined ? 'left' : 'declined' }, now);
    this.s.dropMember.run(op.room, op.user);
    this.s.putStanding.run(op.room, op.user, 'left', op.user, now);
    return this.done(op.room, r.history, { frames: [frame], left: joined ? [op.user] : [] });
  }

  private update(op: Extract<RoomOp, { k: 'room-update' }>, now: number): RoomDone | WriteFailed {
    const r = this.room(op.room);
    if (r === undefined) return noRoom;
    const facts = this.facts(op.room, r);
    const me = this.standing(op.room, op.user);
    const asks: Array<[RuleAction, boolean]> = [
      ['rename', op.name !== undefined], ['set_topic', op.topic !== undefined], ['set_avatar', op.avatar !== undefined],
      ['set_join_rule', op.joinRule !== undefined], ['set_history', op.history !== undefined],
    ];
    for (const [action, asked] of asks) {
      if (!asked) continue;
      const verdict = this.rules.mayActInRoom(facts, me, action);
      if (!verdict.ok) return refuse(verdict.reason);
    }
    if (op.name !== undefined && op.name.toLowerCase() !== r.name.toLowerCase() && this.s.groupNamed.get(op.name) !== undefined) {
      return refuse('name_taken', `a room named ${JSON.stringify(op.name)} already exists`);
    }
    // The last refusal: past it the update is made, so the references move with it.
    const avatarRefused = op.avatar === undefined ? undefined : this.avatars.swap(r.avatar, op.avatar, op.user);
    if (avatarRefused !== undefined) return avatarRefused;
    const events: RoomEvent[] = [];
    if (op.name !== undefined && op.name !== r.name) events.push({ kind: 'name', name: op.name });
    if (op.topic !== undefined && op.topic !== r.topic) events.push({ kind: 'topic', topic: op.topic });
    if (op.avatar !== undefined && op.avatar !== r.avatar) events.push({ kind: 'avatar', fileId: op.avatar });
    if (op.joinRule !== undefined && op.joinRule !== r.join_rule) events.push({ kind: 'join_rule', joinRule: op.joinRule });
    if (op.history !== undefined && op.history !== r.history) events.push({ kind: 'history', history: op.history });
    if (events.length === 0) return this.done(op.room, r.history, {});
    this.s.updateRoom.run(op.name ?? r.name, op.topic ?? r.topic, op.avatar === undefined ? r.avatar : op.avatar, op.joinRule ?? r.join_rule, op.history ?? r.history, op.room);
    const frames = events.map((e) => this.append(op.room, op.user, e, now).frame);
    return this.done(op.room, op.history ?? r.history, { frames, updated: true });
  }

  /**
   * Each change is judged against the room as the earlier ones leave it (a
   * demoted owner may be the last one), all before the first write: one refused
   * change refuses them all.
   */
  private setRole(op: Extract<RoomOp, { k: 'room-role' }>, now: number): RoomDone | WriteFailed {
    const r = this.room(op.room);
    if (r === undefined) return noRoom;
    const facts = this.facts(op.room, r);
    // Asked first, so a request that changes nothing is still refused to one who may not set roles.
    const may = this.rules.mayActInRoom(facts, this.standing(op.room, op.user), 'set_role');
    if (!may.ok) return refuse(may.reason);
    const planned = new Map<number, { standing: RuleStanding; stored: RoomRoleName; admin: boolean }>();
    const standingOf = (user: number): RuleStanding | null => planned.get(user)?.standing ?? this.standing(op.room, user);
    const writes: Array<{ user: number; role: RoomRoleName }> = [];
    for (const { target, role } of op.changes) {
      const standing = standingOf(target);
      const verdict = this.rules.maySetRole(facts, standingOf(op.user), standing, role);
      if (!verdict.ok) return refuse(verdict.reason);
      // Roles belong to joined members; an invitation carries none.
      if (standing?.state !== 'joined') return refuse('target_not_member');
      const was = planned.get(target) ?? this.memberRole(op.room, target);
      if (was.stored === role) continue;
      // A server admin stays an owner of the room whatever its stored role says.
      if (!was.admin) facts.owners += (role === 'owner' ? 1 : 0) - (was.stored === 'owner' ? 1 : 0);
      planned.set(target, { standing: { state: 'joined', role: was.admin ? 'owner' : role }, stored: role, admin: was.admin });
      writes.push({ user: target, role });
    }
    const frames: string[] = [];
    for (const w of writes) {
      this.s.setRole.run(w.role, op.room, w.user);
      frames.push(this.append(op.room, op.user, { kind: 'role', user: String(w.user), role: w.role }, now).frame);
    }
    return this.done(op.room, r.history, { frames, roles: writes });
  }

  private memberRole(room: number, user: number): { stored: RoomRoleName; admin: boolean } {
    const m = this.s.member.get(room, user) as MemberRow;
    return { stored: m.role, admin: m.admin !== 0 };
  }

  /** Removes a member, or withdraws an invitation; either way they need a new invitation to come back. */
  private remove(op: Extract<RoomOp, { k: 'room-remove' }>, now: number): RoomDone | WriteFailed {
    const r = this.room(op.room);
    if (r === undefined) return noRoom;
    const target = this.standing(op.room, op.target);
    const verdict = this.rules.mayRemove(this.facts(op.room, r), this.standing(op.room, op.user), target);
    if (!verdict.ok) return refuse(verdict.reason);
    const { frame } = this.append(op.room, op.user, { kind: 'removed', user: String(op.target) }, now);
    this.s.dropMember.run(op.room, op.target);
    this.s.putStanding.run(op.room, op.target, 'removed', op.user, now);
    return this.done(op.room, r.history, { frames: [frame], left: target?.state === 'joined' ? [op.target] : [] });
  }
}

const SQL = {
  room: 'SELECT kind, name, topic, avatar, join_rule, history FROM rooms WHERE id = ?',
  counts: `SELECT count(*) AS joined, coalesce(sum(m.role = 'owner' OR u.role = 'admin'), 0) AS owners
    FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = ?`,
  member: "SELECT m.role, u.role = 'admin' AS admin FROM members m JOIN users u ON u.id = m.user_id WHERE m.room_id = ? AND m.user_id = ?",
  standing: 'SELECT state FROM room_standing WHERE room_id = ? AND user_id = ?',
  user: 'SELECT disabled, name FROM users WHERE id = ?',
  groupNamed: "SELECT 1 AS one FROM rooms WHERE name = ? COLLATE NOCASE AND kind = 'group'",
  directByKey: 'SELECT id FROM rooms WHERE direct_key = ?',
  insertRoom: 'INSERT INTO rooms (name, kind, direct_key, created_at, topic, join_rule, history) VALUES (?, ?, ?, ?, ?, ?, ?)',
  insertMember: 'INSERT INTO members (room_id, user_id, joined_at, role, joined_seq, read_seq) VALUES (?, ?, ?, ?, ?, ?)',
  dropMember: 'DELETE FROM members WHERE room_id = ? AND user_id = ?',
  putStanding: `INSERT INTO room_standing (room_id, user_id, state, by_user, at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(room_id, user_id) DO UPDATE SET state = excluded.state, by_user = excluded.by_user, at = excluded.at`,
  dropStanding: 'DELETE FROM room_standing WHERE room_id = ? AND user_id = ?',
  setRole: 'UPDATE members SET role = ? WHERE room_id = ? AND user_id = ?',
  updateRoom: 'UPDATE rooms SET name = ?, topic = ?, avatar = ?, join_rule = ?, history = ? WHERE id = ?',
} as const;
