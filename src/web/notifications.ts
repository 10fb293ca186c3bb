import type { ChatStore } from './chat-store.js';
import { roomHref } from './hooks.js';
import type { WireMessage } from './protocol.js';
import { unreadCount, type RoomState } from './room-state.js';

/**
 * What a room's settings (`notify` and mute, stored per user on the server)
 * ask attention for: everything under "all", only what names the user under
 * "mentions" or in a muted room, nothing under "none".
 */
type Attention = 'all' | 'mentions' | 'none';
const attentionOf = (r: Pick<RoomState, 'notify' | 'muted'>): Attention => (r.notify === 'none' ? 'none' : r.muted ? 'mentions' : r.notify);

/** Whether a new message deserves a desktop notification: by the room's attention, never one's own. */
export function wantsNotification(room: Pick<RoomState, 'notify' | 'muted'>, m: WireMessage, me: string): boolean {
  if (m.from === me || m.deleted === true || m.event !== undefined) return false;
  const attention = attentionOf(room);
  return attention === 'all' || (attention === 'mentions' && m.mentions?.includes(me) === true);
}

/** What a room adds to the count in the tab's title, by the same rule (the room list still shows every count). */
export function attentionCount(r: Pick<RoomState, 'notify' | 'muted' | 'mentions' | 'lastSeq' | 'readSeq'>): number {
  const attention = attentionOf(r);
  return attention === 'none' ? 0 : attention === 'mentions' ? r.mentions : unreadCount(r);
}

/**
 * Browsers offer notifications only on secure pages (HTTPS, or the machine
 * itself): on plain http://pi:8080 there is no Notification API, and the
 * client offers nothing.
 */
export const notificationsAvailable = (): boolean => typeof Notification !== 'undefined';

/** Asked on a click (browsers require a user gesture); resolves with the user's answer. */
export async function askNotificationPermission(): Promise<NotificationPermission> {
  return notificationsAvailable() ? Notification.requestPermission() : 'denied';
}

/**
 * Shows a desktop notification for a live message when the user allowed
 * them and is not looking at this tab. One per room at a time (`tag`): a
 * busy room replaces its notification instead of stacking them.
 */
export function notifyOfMessage(store: ChatStore, m: WireMessage): void {
  if (!notificationsAvailable() || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  const room = store.state.rooms[m.room];
  if (room === undefined || !wantsNotification(room, m, store.state.me.id)) return;
  const sender = store.state.names[m.from] ?? '';
  const title = room.kind === 'direct' ? room.name : `${sender} · ${room.name}`;
  const files = (m.attachments ?? []).map((a) => `📎 ${a.name}`).join(' ');
  const body = `${m.body.replace(/\s+/g, ' ').slice(0, 200)}${m.body !== '' && files !== '' ? ' ' : ''}${files}`;
  const shown = new Notification(title, { body, tag: `roost-room-${m.room}` });
  shown.onclick = (): void => {
    window.focus();
    location.hash = roomHref(m.room);
    shown.close();
  };
}
