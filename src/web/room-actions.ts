import { pullChanges } from './catch-up.js';
import type { ChatStore } from './chat-store.js';
import type { ClientFrame, NotifyLevel, ServerFrameOf, WireMessage } from './protocol.js';

/**
 * Edits, deletions, reactions and notification settings. Each waits for the
 * server's `ok`; the change itself arrives as a live frame to every member,
 * this tab included, and is applied there. A muted room gets no live frames,
 * so after an `ok` there the change is fetched with a `sync`.
 * Resolves with null, or the reason it failed (for the UI to show).
 */
async function change(store: ChatStore, room: string, frame: ClientFrame): Promise<string | null> {
  try {
    const ok = await store.conn.request<ServerFrameOf<'ok'>>(frame);
    const r = store.state.rooms[room];
    if (r?.muted === true && ok.cseq !== undefined && ok.cseq > r.lastCseq) await pullChanges(store, [room]);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export const editMessage = (store: ChatStore, room: string, seq: number, body: string): Promise<string | null> =>
  change(store, room, { type: 'edit', room, seq, body });

export const deleteMessage = (store: ChatStore, room: string, seq: number): Promise<string | null> =>
  change(store, room, { type: 'delete', room, seq });

export const react = (store: ChatStore, room: string, seq: number, emoji: string, on: boolean): Promise<string | null> =>
  change(store, room, { type: 'react', room, seq, emoji, on });

export async function setNotify(store: ChatStore, room: string, settings: { muted?: boolean; level?: NotifyLevel }): Promise<string | null> {
  const failed = await change(store, room, { type: 'notify', room, ...settings });
  if (failed === null) {
    store.updateRoom(room, (r) => ({ ...r, muted: settings.muted ?? r.muted, notify: settings.level ?? r.notify }));
  }
  return failed;
}

/** The server's default edit window, used until its `rooms` reply says what it is. */
export const DEFAULT_EDIT_WINDOW_MS = 15 * 60 * 1000;

/** Whether the user may still edit a message: their own, not deleted, within the server's edit window. */
export function canEdit(m: WireMessage, me: string, windowMs: number, now: number): boolean {
  return m.from === me && m.deleted !== true && now - m.ts < windowMs;
}
