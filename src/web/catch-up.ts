import { api, HttpError } from './api.js';
import type { ChatStore } from './chat-store.js';
import type { RoomSummary, ServerFrameOf } from './protocol.js';
import { atLatest, newRoom, windowEnd, type RoomState } from './room-state.js';

/** Most messages per room fetched in one catch-up; a room that missed more is reloaded at its newest page. */
export const CATCH_UP_LIMIT = 200;

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
    const since: Record<string, number> = {};
    for (const r of following) if (store.state.rooms[r.id] !== undefined) since[r.id] = windowEnd(r);
    if (Object.keys(since).length > 0) {
      const synced = await store.conn.request<ServerFrameOf<'synced'>>({ type: 'sync', since, limit: CATCH_UP_LIMIT });
      for (const s of synced.rooms) {
        if (s.more) void store.loadLatest(s.room);
        else store.addNewer(s.room, s.messages);
      }
    }
    for (const r of Object.values(store.state.rooms)) {
      for (const p of r.pending) if (p.state === 'sending') store.transmit(r.id, p.clientMsgId);
    }
    const open = store.state.current;
    if (open !== null && store.state.rooms[open]?.loaded === false) await store.loadLatest(open);
  } catch {
    // The socket dropped mid-way; the next open starts over.
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
  store.patch({ rooms, roomsLoaded: true, current });
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
        const names = { ...store.state.names };
        const receipts: Record<string, number> = {};
        for (const m of members) {
          names[m.id] = m.name;
          if (m.id !== store.state.me.id) receipts[m.id] = m.readSeq;
        }
        store.patch({ names });
        store.updateRoom(id, (r) => ({ ...r, members: members.map((m) => m.id), receipts: { ...receipts, ...maxOf(r.receipts, receipts) } }));
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) return store.onSignedOut();
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

function merged(old: RoomState, s: RoomSummary): RoomState {
  return { ...old, name: s.name, kind: s.kind, lastSeq: Math.max(old.lastSeq, s.lastSeq), readSeq: Math.max(old.readSeq, s.readSeq) };
}

function maxOf(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) out[k] = Math.max(v, b[k] ?? 0);
  return out;
}
