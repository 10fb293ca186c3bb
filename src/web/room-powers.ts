import type { JoinRule, RoomRole } from './protocol.js';

/**
 * What the signed-in user may change in a room, so the settings show only
 * the controls that will not be refused. The browser bundle may not import
 * server code, so this mirrors the role table of src/chat/policy.ts;
 * test/web/rooms-logic.test.ts checks the two agree for every role and action.
 */

export interface RoomFactsSeen { kind: 'group' | 'direct'; role: RoomRole | null; joinRule: JoinRule }
export interface RoomPowers { rename: boolean; topic: boolean; avatar: boolean; joinRule: boolean; history: boolean; invite: boolean; leave: boolean }

export const ROLES: readonly RoomRole[] = ['member', 'moderator', 'owner'];
const rank = (role: RoomRole): number => ROLES.indexOf(role);

/** The least role each setting needs in a group room (policy.ts's NEEDS); a direct room has none of them. */
export const LEAST_ROLE: Readonly<Record<Exclude<keyof RoomPowers, 'leave'>, RoomRole>> = {
  rename: 'moderator', topic: 'moderator', avatar: 'moderator', joinRule: 'owner', history: 'owner', invite: 'member',
};

/** A server admin counts as an owner in every group room they are in (as the server decides). */
export function effectiveRole(room: Pick<RoomFactsSeen, 'kind' | 'role'>, serverRole: 'admin' | 'member'): RoomRole {
  if (room.kind === 'group' && serverRole === 'admin') return 'owner';
  return room.role ?? 'member';
}

const owners = (roles: Readonly<Record<string, RoomRole>>): number => Object.values(roles).filter((r) => r === 'owner').length;

export function roomPowers(room: RoomFactsSeen, serverRole: 'admin' | 'member', roles: Readonly<Record<string, RoomRole>> | null = null): RoomPowers {
  const mine = rank(effectiveRole(room, serverRole));
  const may = (k: keyof typeof LEAST_ROLE): boolean => room.kind === 'group' && mine >= rank(LEAST_ROLE[k]);
  // Without the member list the counts are unknown: "leave" is offered unless the user may be the last owner among others.
  const lastOwner = effectiveRole(room, serverRole) === 'owner' && (roles === null || (owners(roles) <= 1 && Object.keys(roles).length > 1));
  return {
    rename: may('rename'), topic: may('topic'), avatar: may('avatar'), joinRule: may('joinRule'), history: may('history'), invite: may('invite'),
    leave: room.kind === 'group' && !(lastOwner && room.role === 'owner'),
  };
}

/**
 * What the user may do to one other member: remove them (a moderator or
 * owner, over a lower role; owners over owners too) and which roles they may
 * give (up to their own), never leaving the room without an owner.
 */
export function memberPowers(room: RoomFactsSeen, serverRole: 'admin' | 'member', roles: Readonly<Record<string, RoomRole>>, target: string): { remove: boolean; roles: RoomRole[] } {
  const me = effectiveRole(room, serverRole);
  const them = roles[target] ?? 'member';
  const over = room.kind === 'group' && rank(me) >= rank('moderator') && (rank(me) > rank(them) || me === 'owner');
  const lastOwner = them === 'owner' && owners(roles) <= 1;
  if (!over || lastOwner) return { remove: false, roles: [] };
  return { remove: true, roles: ROLES.filter((r) => r !== them && rank(r) <= rank(me)) };
}
