import { api, HttpError } from './api.js';
import type { ChatStore } from './chat-store.js';
import type { RoomSummary, ServerFrameOf, SyncedRoom } from './protocol.js';
import { atLatest, newRoom, settingsOf, windowEnd, type RoomState } from './room-state.js';
import { findUsers, loadInvites } from './room-directory.js';
import { followMessages, type FollowPorts } from './sync-follow.js';

/** Most messages per room fetched in one catch-up; a room that missed more is reloaded at its newest page. */
export const CATCH_UP_LIMIT = 200;
/** Rounds of `moreChanges` followed before a room's window is simply reloaded. */
const MAX_CHANGE_ROUNDS = 10;
/** Replies followed for rooms the server's total cap cut short, before those still behind are reloaded. */
const MAX_SYNC_ROUNDS = 10;

/**
 * After every (re)connect: the room list again, then what each room that
 * showed its latest messages missed (one `sync`), then the sends that were
 * waiting for a socket, with their original clientMsgIds.
 */
export async function catchUp(store: ChatStore): Promise<void> {
  // Rooms whose window showed the latest before the drop keep doing so: fetch what they missed.
  const following = Object.values(store.state.rooms).filter((r) => atLatest(r));
  try {
    await refreshRooms(store);
    // Display names and avatars of everyone (a private server has few users), and pending invitations.
    // A server without rooms and profiles refuses these: the client works on with sign-in names.
    void findUsers(store).catch(() => undefined);
    void loadInvites(store).catch(() => undefined);
    const since: Record<string, number> = {};
    for (const r of following) if (store.state.rooms[r.id] !== undefined) since[r.id] = windowEnd(r);
    // Every window on screen or kept in the background learns the edits, deletions and reactions it missed.
    const changesSince: Record<string, number> = {};
    for (const r of Object.values(store.state.rooms)) if (r.messages.length > 0) changesSince[r.id] = r.lastCseq;
    if (Object.keys(since).length > 0 || Object.keys(changesSince).length > 0) {
      const synced = await store.conn.request<ServerFrameOf<'synced'>>({ type: 'sync', since, changesSince, limit: CATCH_UP_LIMIT });
      // Changes first, all of them (also those past this reply's budget): the new messages in the reply
      // already show every change, and a reaction applied to them again would count twice.
      const more = synced.rooms.filter((s) => applyChanges(store, s));
      if (more.length > 0) await pullChanges(store, more.map((s) => s.room));
      await followMessages(followPorts(store), synced.rooms, CATCH_UP_LIMIT, MAX_SYNC_ROUNDS);
    }
    for (const r of Object.values(store.state.rooms)) {
      for (const p of r.pending) if (p.state === 'sending') store.transmit(r.id, p.clientMsgId);
    }
    const open = store.state.current;
    if (open !== null && store.state.rooms[open]?.loaded === false) await store.loadLatest(open);
  } catch {
    // The socket dropped mid-way; the next open starts over.
  } finally {
    // Even when part of the catch-up was refused (say, for rate), what waits is sent while the socket is up.
    if (store.state.conn.kind === 'online') store.outbox.open();
  }
}

/** The user's rooms, merged into what is known, and the last message of each that changed, as its preview. */
export async function refreshRooms(store: ChatStore): Promise<void> {
  const reply = await store.conn.request<ServerFrameOf<'rooms'>>({ type: 'rooms' });
  const rooms: Record<string, RoomState> = {};
  const fresh: string[] = [];
  for (const s of reply.rooms) {
    const old = store.state.rooms[s.room];
    if (old === undefined) fresh.push(s.room);
    rooms[s.room] = old === undefined ? newRoom(s) : merged(old, s);
  }
  const current = store.state.current !== null && rooms[store.state.current] === undefined ? null : store.state.current;
  store.patch({ rooms, roomsLoaded: true, current, ...(reply.editWindowSeconds === undefined ? {} : { editWindowMs: reply.editWindowSeconds * 1000 }) });
  if (reply.rateLimits !== undefined) store.pacer.setLimits(reply.rateLimits);
  const stale = Object.values(rooms).filter((r) => r.lastSeq > 0 && (r.preview?.seq ?? 0) < r.lastSeq && !atLatest(r));
  if (stale.length > 0) {
    const since: Record<string, number> = {};
    for (const r of stale) since[r.id] = r.lastSeq - 1;
    const synced = await store.conn.request<ServerFrameOf<'synced'>>({ type: 'sync', since, limit: 1 });
    for (const s of synced.rooms) {
      const last = s.messages[s.messages.length - 1];
      if (last !== undefined) store.updateRoom(s.room, (r) => (r.preview !== null && r.preview.seq >= last.seq ? r : { ...r, preview: last }));
    }
  }
  void fetchMembers(store, fresh);
}

/** Names and read markers of each room's members, a few requests at a time. */
export async function fetchMembers(store: ChatStore, ids: readonly string[]): Promise<void> {
  const queue = [...ids];
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        const { members } = await api.members(store.token, id);
        const receipts: Record<string, number> = {};
        for (const m of members) if (m.id !== store.state.me.id) receipts[m.id] = m.readSeq;
        store.learn(members.map((m) => ({ id: m.id, name: m.name, ...(m.bot === true ? { bot: true, displayName: m.displayName ?? '' } : {}) })));
        store.updateRoom(id, (r) => ({ ...r, members: members.map((m) => m.id), receipts: { ...receipts, ...maxOf(r.receipts, receipts) } }));
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) return store.onSignedOut();
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

function merged(old: RoomState, s: RoomSummary): RoomState {
  const lastSeq = Math.max(old.lastSeq, s.lastSeq);
  const readSeq = Math.max(old.readSeq, s.readSeq);
  // The server counts mentions from its read mark, which a read made here and not yet sent may be ahead of:
  // read to the end, none is left; short of it, the server's count stands (a badge too many, never one hidden).
  const mentions = readSeq >= lastSeq ? 0 : s.mentions ?? 0;
  return {
    ...old, name: s.name, kind: s.kind, lastSeq, readSeq,
    mentions, muted: s.muted === true, notify: s.notify ?? 'all', ...settingsOf(s),
    memberCount: s.members ?? old.memberCount,
    // A window on screen keeps its own cursor, so the sync that follows brings what it missed; without one, the server's is right.
    lastCseq: old.messages.length > 0 ? old.lastCseq : s.lastCseq ?? 0,
  };
}

/** Applies one room's `changes` from a sync reply; true when the server has more. */
function applyChanges(store: ChatStore, s: SyncedRoom): boolean {
  if (s.changes === undefined) return false;
  store.applyChanges(s.room, s.changes, s.lastCseq);
  return s.moreChanges === true;
}

/**
 * Fetches the edits, deletions and reactions some rooms missed, from each
 * one's cursor, following `moreChanges` a bounded number of times; a room
 * still behind after that has its window reloaded instead.
 */
export async function pullChanges(store: ChatStore, ids: readonly string[]): Promise<void> {
  let behind = [...ids];
  for (let round = 0; round < MAX_CHANGE_ROUNDS && behind.length > 0; round++) {
    const changesSince: Record<string, number> = {};
    for (const id of behind) {
      const r = store.state.rooms[id];
      if (r !== undefined) changesSince[id] = r.lastCseq;
    }
    if (Object.keys(changesSince).length === 0) return;
    const synced = await store.conn.request<ServerFrameOf<'synced'>>({ type: 'sync', since: {}, changesSince, limit: CATCH_UP_LIMIT });
    behind = synced.rooms.filter((s) => applyChanges(store, s)).map((s) => s.room);
  }
  for (const id of behind) void store.loadLatest(id);
}

function maxOf(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) out[k] = Math.max(v, b[k] ?? 0);
  return out;
}

function followPorts(store: ChatStore): FollowPorts {
  return {
    request: async (since) => (await store.conn.request<ServerFrameOf<'synced'>>({ type: 'sync', since, limit: CATCH_UP_LIMIT })).rooms,
    add: (room, messages) => store.addNewer(room, messages),
    reload: (room) => void store.loadLatest(room),
    cursor: (room) => {
      const r = store.state.rooms[room];
      return r === undefined ? undefined : windowEnd(r);
    },
  };
}
