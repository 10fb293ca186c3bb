import type { ClientEvent } from './events.js';

/** A joined room's unread counts: the one part of a woken room's answer that is each member's own. */
export interface Unread { notification_count: number; highlight_count: number }

/** One joined room's section of a `/sync` answer. */
export interface JoinedRoom {
  timeline: { events: ClientEvent[]; limited: boolean; prev_batch: string };
  state: { events: ClientEvent[] };
  ephemeral: { events: Array<Record<string, unknown>> };
  account_data: { events: Array<Record<string, unknown>> };
  summary: Record<string, unknown>;
  unread_notifications: Unread;
}

/** A `/sync` answer; its keys in the order clients see them. */
export interface SyncBody {
  next_batch: string;
  rooms: { join: Record<string, JoinedRoom>; invite: Record<string, { invite_state: { events: Array<Record<string, unknown>> } }>; leave: Record<string, unknown> };
  account_data: { events: Array<Record<string, unknown>> };
  presence: { events: [] };
  to_device: { events: [] };
  device_lists: { changed: []; left: [] };
  device_one_time_keys_count: Record<string, never>;
}

/**
 * The text of the commonest `/sync` answer — one joined room and nothing
 * else — from that room's JSON without its unread counts (`roomHead`: the
 * object's text up to, not including, its closing brace), which every member
 * woken with the same view shares. The same text `JSON.stringify` gives for
 * the whole body: the keys in `SyncBody`'s order, unread counts last in the room.
 */
export function oneRoomAnswerJson(nextBatch: string, roomId: string, roomHead: string, unread: Unread): string {
  return `{"next_batch":${JSON.stringify(nextBatch)},"rooms":{"join":{${JSON.stringify(roomId)}:${roomHead},"unread_notifications":`
    + `{"notification_count":${unread.notification_count},"highlight_count":${unread.highlight_count}}}},"invite":{},"leave":{}},`
    + '"account_data":{"events":[]},"presence":{"events":[]},"to_device":{"events":[]},"device_lists":{"changed":[],"left":[]},'
    + '"device_one_time_keys_count":{}}';
}
