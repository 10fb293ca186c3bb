import { mayActInRoom, mayLeave, mayRemove, maySetRole, ROOM_ROLES, type RoomFacts, type Standing } from '../chat/policy.js';
import type { JoinRule, RoomRole } from './protocol.js';

/**
 * What the signed-in user may change in a room, by the server's own rules
 * (src/chat/policy.ts, bundled: pure functions of plain facts), so the
 * settings show exactly the controls that will not be refused.
 */

export interface RoomFactsSeen { kind: 'group' | 'direct'; role: RoomRole | null; joinRule: JoinRule }
export interface RoomPowers { rename: boolean; topic: boolean; avatar: boolean; joinRule: boolean; history: boolean; invite: boolean; leave: boolean }

/** A server admin counts as an owner in every group room they are in (as the server decides). */
export function effectiveRole(room: Pick<RoomFactsSeen, 'kind' | 'role'>, serverRole: 'admin' | 'member'): RoomRole {
  if (room.kind === 'group' && serverRole === 'admin') return 'owner';
  return room.role ?? 'member';
}

function facts(room: RoomFactsSeen, roles: Readonly<Record<string, RoomRole>> | null): RoomFacts {
  const list = roles === null ? [] : Object.values(roles);
  // Without the member list the counts are unknown: assume others exist, so "leave" is offered only when the rule surely allows it.
  return { kind: room.kind, joinRule: room.joinRule, owners: roles === null ? 1 : list.filter((r) => r === 'owner').length, joined: roles === null ? 2 : list.length };
}

export function roomPowers(room: RoomFactsSeen, serverRole: 'admin' | 'member', roles: Readonly<Record<string, RoomRole>> | null = null): RoomPowers {
  const f = facts(room, roles);
  const me: Standing = { state: 'joined', role: effectiveRole(room, serverRole) };
  const may = (a: Parameters<typeof mayActInRoom>[2]): boolean => mayActInRoom(f, me, a).ok;
  return {
    rename: may('rename'), topic: may('set_topic'), avatar: may('set_avatar'), joinRule: may('set_join_rule'), history: may('set_history'),
    invite: may('invite'), leave: room.kind === 'group' ? mayLeave(f, me).ok : false,
  };
}

/** What the user may do to one other member: remove them, and which roles they may give them. */
export function memberPowers(room: RoomFactsSeen, serverRole: 'admin' | 'member', roles: Readonly<Record<string, RoomRole>>, target: string, state: 'joined' | 'invited' = 'joined'): { remove: boolean; roles: RoomRole[] } {
  const f = facts(room, roles);
  const me: Standing = { state: 'joined', role: effectiveRole(room, serverRole) };
  const them: Standing = { state, role: roles[target] ?? 'member' };
  return {
    remove: mayRemove(f, me, them).ok,
    roles: state === 'joined' ? ROOM_ROLES.filter((r) => r !== them.role && maySetRole(f, me, them, r).ok) : [],
  };
}
