import { randomBytes } from 'node:crypto';
import type { RoomEvent } from '../../protocol/frames.js';
import type { Db } from '../db/database.js';
import { GENESIS, messageHash } from '../history/chain.js';

/**
 * Membership and room changes are entries of the room's timeline: rows of
 * `messages` with an empty body and the change in `extra` ({"event": …}), in
 * the same gap-free seq order as messages, chained, verified, exported and
 * purged by retention like them. Not indexed for search: there are no words.
 */
export interface TimelineEntry { id: number; room: number; seq: number; actor: number; ts: number; clientMsgId: string; extra: string; hash: Buffer }

/** How stored rows are told apart from messages: a message's extra never starts so. */
export const ENTRY_EXTRA_PREFIX = '{"event":';
/** The same test in SQL, for queries over `messages m`; the `messages_entries` index (migration 10) has this WHERE. */
export const IS_ENTRY_SQL = `(m.body = '' AND m.extra LIKE '{"event":%')`;

export function isEntryExtra(extra: string | null | undefined): boolean {
  return extra !== null && extra !== undefined && extra.startsWith(ENTRY_EXTRA_PREFIX);
}

/** The row of one entry, chained from `prev`. */
export function timelineEntry(prev: Buffer, id: number, room: number, seq: number, actor: number, event: RoomEvent, now: number): TimelineEntry {
  // Unique per sender like any clientMsgId: 96 random bits, so no id a client chose collides.
  const clientMsgId = `~${randomBytes(12).toString('base64url')}`;
  const extra = JSON.stringify({ event });
  const hash = messageHash(prev, { id, room_id: room, seq, sender_id: actor, client_msg_id: clientMsgId, body: '', ts: now, extra });
  return { id, room, seq, actor, ts: now, clientMsgId, extra, hash };
}

/** The `message` frame of an entry, as every client gets it. */
export function entryFrame(e: TimelineEntry, event: RoomEvent): string {
  return JSON.stringify({ type: 'message', room: String(e.room), seq: e.seq, msgId: String(e.id), from: String(e.actor), body: '', ts: e.ts, event });
}

export const INSERT_MESSAGE_SQL = 'INSERT INTO messages (id, room_id, seq, sender_id, client_msg_id, body, ts, hash, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * Appends an entry on any connection, reading what it needs from the
 * database: the CLI's own (the writer notices and forgets its caches). Call
 * inside a transaction.
 */
export function appendRoomEvent(db: Db, room: number, actor: number, event: RoomEvent, now: number): TimelineEntry {
  const last = db.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(room) as { last_seq: number } | undefined;
  if (last === undefined) throw new Error(`room ${room} does not exist`);
  const prev = (db.prepare('SELECT hash FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT 1').get(room) as { hash: Buffer | null } | undefined)?.hash
    ?? (db.prepare('SELECT hash FROM purge_checkpoints WHERE room_id = ?').get(room) as { hash: Buffer } | undefined)?.hash
    ?? GENESIS;
  const highest = db.prepare(`SELECT max(coalesce((SELECT max(id) FROM messages), 0),
      coalesce((SELECT max(through_msg_id) FROM purge_checkpoints), 0)) AS n`).get() as { n: number };
  const e = timelineEntry(prev, highest.n + 1, room, last.last_seq + 1, actor, event, now);
  db.prepare(INSERT_MESSAGE_SQL).run(e.id, room, e.seq, actor, e.clientMsgId, '', now, e.hash, e.extra);
  db.prepare('UPDATE rooms SET last_seq = ? WHERE id = ?').run(e.seq, room);
  return e;
}
