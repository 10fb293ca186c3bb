import { refreshRooms } from './catch-up.js';
import type { ChatStore } from './chat-store.js';
import { fromProfile } from './people.js';
import type { ClientFrame, DirectoryEntry, HistoryRule, JoinRule, PublicProfile, RoomRole, ServerFrameOf } from './protocol.js';

/**
 * Rooms and who is in them, as requests to the server (docs/protocol.md, room
 * frames). Each resolves once the server said `ok` (its membership cache and
 * subscriptions are updated by then) or rejects with the refusal, whose
 * `reason` refusals.ts turns into words. The room list follows from the
 * unasked `room` frames; these re-read it too, so the caller can navigate at once.
 */

async function act(store: ChatStore, frame: ClientFrame): Promise<ServerFrameOf<'ok'>> {
  return store.conn.request<ServerFrameOf<'ok'>>(frame);
}

/** The room an `ok` names (create_room, open_direct). */
function roomIdOf(ok: ServerFrameOf<'ok'>): string | undefined {
  return ok.room;
}

export async function createRoom(store: ChatStore, spec: { name: string; topic?: string; invite?: string[]; joinRule?: JoinRule; history?: HistoryRule }): Promise<string | undefined> {
  const ok = await act(store, { type: 'create_room', ...spec });
  await refreshRooms(store);
  return roomIdOf(ok);
}

export async function openDirect(store: ChatStore, user: string): Promise<string | undefined> {
  const ok = await act(store, { type: 'open_direct', user });
  await refreshRooms(store);
  return roomIdOf(ok);
}

export async function joinRoom(store: ChatStore, room: string): Promise<void> {
  await act(store, { type: 'join', room });
  store.patch({ invites: store.state.invites.filter((i) => i.room !== room) });
  await refreshRooms(store);
}

/** Leaves a room, or declines an invitation to it. */
export async function leaveRoom(store: ChatStore, room: string): Promise<void> {
  await act(store, { type: 'leave', room });
  store.patch({ invites: store.state.invites.filter((i) => i.room !== room) });
  await refreshRooms(store);
}

export async function inviteUser(store: ChatStore, room: string, user: string): Promise<void> {
  await act(store, { type: 'invite', room, user });
  await loadRoster(store, room);
}

export async function updateRoom(store: ChatStore, room: string, change: { name?: string; topic?: string; avatar?: string | null; joinRule?: JoinRule; history?: HistoryRule }): Promise<void> {
  await act(store, { type: 'update_room', room, ...change });
  await refreshRooms(store);
}

export async function setRole(store: ChatStore, room: string, user: string, role: RoomRole): Promise<void> {
  await act(store, { type: 'set_role', room, user, role });
  await loadRoster(store, room);
}

export async function removeMember(store: ChatStore, room: string, user: string): Promise<void> {
  await act(store, { type: 'remove_member', room, user });
  await loadRoster(store, room);
}

/** The room's joined members with their roles, and who is invited. */
export async function loadRoster(store: ChatStore, room: string): Promise<void> {
  const reply = await store.conn.request<ServerFrameOf<'members'>>({ type: 'members', room });
  const roles: Record<string, RoomRole> = {};
  for (const m of reply.members) roles[m.user] = m.role;
  const bots = reply.members.filter((m) => m.bot === true && store.state.people[m.user]?.bot !== true).map((m) => ({ id: m.user, bot: true }));
  if (bots.length > 0) store.learn(bots);
  store.updateRoom(room, (r) => ({ ...r, roles, invitedUsers: reply.invited, memberCount: reply.members.length }));
  const unknown = [...reply.members.map((m) => m.user), ...reply.invited.flatMap((i) => [i.user, i.by])].filter((id) => store.state.people[id] === undefined);
  if (unknown.length > 0) await findUsers(store);
}

export async function loadDirectory(store: ChatStore): Promise<DirectoryEntry[]> {
  return (await store.conn.request<ServerFrameOf<'directory'>>({ type: 'directory' })).rooms;
}

export async function loadInvites(store: ChatStore): Promise<void> {
  const reply = await store.conn.request<ServerFrameOf<'invites'>>({ type: 'invites' });
  store.patch({ invites: reply.invites });
}

/** Users matching a query (all of them, up to the server's 200, without one); what is learned names people everywhere. */
export async function findUsers(store: ChatStore, query?: string): Promise<PublicProfile[]> {
  const reply = await store.conn.request<ServerFrameOf<'users'>>({ type: 'users', ...(query !== undefined && query !== '' ? { query } : {}) });
  store.learn(reply.users.map(fromProfile));
  return reply.users;
}
