import type { ChatStore } from './chat-store.js';
import type { PresenceReply } from './protocol.js';

/** Most rooms asked about at once after a connect: direct rooms first, so the room list's dots are right. */
const ASK_AT_MOST = 40;

/**
 * Asks who is online in some rooms (by default the open room and the direct
 * rooms). Pushes keep the answer current afterwards; rooms too big for
 * pushes get no `users` and show no dots.
 */
export async function askPresence(store: ChatStore, ids?: readonly string[]): Promise<void> {
  const rooms = store.state.rooms;
  const wanted = ids ?? [
    ...(store.state.current !== null ? [store.state.current] : []),
    ...Object.values(rooms).filter((r) => r.kind === 'direct' && r.id !== store.state.current).map((r) => r.id),
  ];
  await Promise.all(wanted.slice(0, ASK_AT_MOST).map(async (room) => {
    try {
      const reply = await store.conn.request<PresenceReply>({ type: 'presence', room });
      for (const u of reply.users ?? []) if (u.user !== store.state.me.id) store.setPresence(u.user, u.state);
    } catch {
      // Offline or not a member any more: the dots stay as they were.
    }
  }));
}

/** Tells the server this tab is away while hidden and online when shown (every socket says so for itself). */
export function reportVisibility(store: ChatStore): void {
  store.conn.send({ type: 'presence', state: document.visibilityState === 'hidden' ? 'away' : 'online' });
}
