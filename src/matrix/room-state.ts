import type { InvitedEntry, MemberEntry } from '../protocol/frames.js';
import type { RoomInfo } from '../chat/matrix-store.js';
import { avatarField, POWER, powerLevels, type ClientEvent, type Names } from './events.js';
import type { MatrixIds } from './ids.js';

/** Marks a bot account's membership (Roost's own key: Matrix defines none). */
export const BOT_KEY = 'io.roost.bot';

export interface RoomPeople { members: MemberEntry[]; invited: InvitedEntry[] }

/** The power levels' `users` of a room: every member above the default. */
export function powerUsers(people: RoomPeople, names: Names): Record<string, number> {
  const users: Record<string, number> = {};
  for (const m of people.members) if (POWER[m.role] > 0) users[names.userId(m.user)] = POWER[m.role];
  return users;
}

/**
 * A room's current state as Matrix state events: create, members (joined and
 * invited), name (group rooms: a direct room is named by its heroes), topic,
 * join rules, history visibility, power levels. Event ids name the (type,
 * key) pair, so the same state keeps the same id. `only`: members to include
 * (lazy loading); absent: all.
 */
export function roomState(info: RoomInfo, people: RoomPeople, ids: MatrixIds, names: Names, ts: number, only?: ReadonlySet<string>): ClientEvent[] {
  const roomId = ids.room(info.id);
  const creator = names.userId(info.creator);
  const ev = (type: string, key: string, sender: string, content: Record<string, unknown>): ClientEvent =>
    ({ type, state_key: key, content, sender, event_id: ids.state(info.id, type, key), room_id: roomId, origin_server_ts: ts });
  const out: ClientEvent[] = [ev('m.room.create', '', creator, { creator, room_version: '10' })];
  for (const m of people.members) {
    if (only !== undefined && !only.has(m.user)) continue;
    const id = names.userId(m.user);
    // Matrix has no bot flag: a namespaced key says it, for clients and bots that look.
    out.push(ev('m.room.member', id, id, {
      membership: 'join', displayname: names.displayName(m.user), ...avatarField(names.avatarUrl(m.user)), ...(m.bot === true ? { [BOT_KEY]: true } : {}),
    }));
  }
  for (const i of people.invited) {
    const id = names.userId(i.user);
    out.push(ev('m.room.member', id, names.userId(i.by), { membership: 'invite', displayname: names.displayName(i.user), ...(info.kind === 'direct' ? { is_direct: true } : {}) }));
  }
  if (info.kind === 'group') out.push(ev('m.room.name', '', creator, { name: info.name }));
  if (info.topic !== '') out.push(ev('m.room.topic', '', creator, { topic: info.topic }));
  if (info.avatar !== null) out.push(ev('m.room.avatar', '', creator, { url: ids.mxc(info.avatar) }));
  out.push(ev('m.room.join_rules', '', creator, { join_rule: info.joinRule }));
  out.push(ev('m.room.history_visibility', '', creator, { history_visibility: info.history }));
  out.push(ev('m.room.guest_access', '', creator, { guest_access: 'forbidden' }));
  out.push(ev('m.room.power_levels', '', creator, powerLevels(powerUsers(people, names))));
  return out;
}
