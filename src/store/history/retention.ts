import { RoostError } from '../../protocol/errors.js';
import { appendAudit, cliActor, type Actor } from './audit.js';
import type { Db } from '../db/database.js';
import { findRoom } from '../admin/admin.js';

/**
 * Retention policy: a default for every room (keep forever unless set) and a
 * per-room override, plus a legal hold that suspends purging a room. Changes
 * are written by the CLI and recorded in the audit log; the server's purge
 * job reads the policy afresh on every run, so nothing needs to be notified.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A number of days (> 0), `forever`, or, for a room, `default` (drop the override). */
export type KeepSetting = number | 'forever' | 'default';

export function parseKeep(text: string): KeepSetting {
  const t = text.trim().toLowerCase();
  if (t === 'forever' || t === 'default') return t;
  if (/^\d{1,6}$/.test(t) && Number(t) > 0) return Number(t);
  throw new RoostError('bad_request', `retention must be a number of days (1-999999), "forever" or, for a room, "default"; got "${text}"`);
}

const keepColumn = (keep: KeepSetting): number | null => (keep === 'forever' ? 0 : keep === 'default' ? null : keep);
const describe = (days: number | null): string => (days === null ? 'default' : days === 0 ? 'forever' : `${days} days`);

/** Sets the default (no room) or one room's retention; returns what it now is. */
export function setRetention(db: Db, roomNameOrId: string | undefined, keep: KeepSetting, actor: Actor = cliActor()): string {
  if (roomNameOrId === undefined && keep === 'default') throw new RoostError('bad_request', '"default" only applies to a room (--room)');
  const room = roomNameOrId === undefined ? undefined : findRoom(db, roomNameOrId);
  const roomId = room?.id ?? 0;
  const days = keepColumn(keep);
  db.transaction(() => {
    const before = db.prepare('SELECT keep_days FROM retention WHERE room_id = ?').get(roomId) as { keep_days: number | null } | undefined;
    db.prepare(`INSERT INTO retention (room_id, keep_days, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(room_id) DO UPDATE SET keep_days = excluded.keep_days, updated_at = excluded.updated_at`).run(roomId, days, Date.now());
    appendAudit(db, actor, 'retention.set', {
      room: room === undefined ? 'default' : `${room.name} (${room.id})`, from: describe(before?.keep_days ?? (roomId === 0 ? 0 : null)), to: describe(days),
    });
  }).immediate();
  return describe(days);
}

/** Sets or clears a room's legal hold; returns whether it changed. */
export function setHold(db: Db, roomNameOrId: string, on: boolean, actor: Actor = cliActor()): boolean {
  const room = findRoom(db, roomNameOrId);
  return db.transaction(() => {
    const before = db.prepare('SELECT legal_hold FROM retention WHERE room_id = ?').get(room.id) as { legal_hold: number } | undefined;
    const was = (before?.legal_hold ?? 0) !== 0;
    db.prepare(`INSERT INTO retention (room_id, keep_days, legal_hold, updated_at) VALUES (?, NULL, ?, ?)
      ON CONFLICT(room_id) DO UPDATE SET legal_hold = excluded.legal_hold, updated_at = excluded.updated_at`).run(room.id, on ? 1 : 0, Date.now());
    appendAudit(db, actor, on ? 'hold.set' : 'hold.clear', { room: `${room.name} (${room.id})`, changed: was !== on });
    return was !== on;
  }).immediate();
}

export interface RoomPolicy {
  room: number;
  name: string;
  /** The room's own setting: null = follows the default. 0 = forever. */
  ownDays: number | null;
  /** What applies: 0 = forever. */
  days: number;
  hold: boolean;
  /** Lowest seq still kept (1 when nothing was purged). */
  horizon: number;
  purged: number;
}

export interface RetentionView { defaultDays: number; rooms: RoomPolicy[] }

export function retentionPolicies(db: Db): RetentionView {
  const dflt = db.prepare('SELECT keep_days FROM retention WHERE room_id = 0').get() as { keep_days: number | null } | undefined;
  const rows = db.prepare(`
    SELECT r.id AS room, r.name, own.keep_days AS ownDays, coalesce(own.keep_days, d.keep_days, 0) AS days,
      coalesce(own.legal_hold, 0) AS hold, coalesce(c.through_seq, 0) + 1 AS horizon, coalesce(c.purged, 0) AS purged
    FROM rooms r
    LEFT JOIN retention own ON own.room_id = r.id
    LEFT JOIN retention d ON d.room_id = 0
    LEFT JOIN purge_checkpoints c ON c.room_id = r.id
    ORDER BY r.id`).all() as Array<Omit<RoomPolicy, 'hold'> & { hold: number }>;
  return { defaultDays: dflt?.keep_days ?? 0, rooms: rows.map((r) => ({ ...r, hold: r.hold !== 0 })) };
}

export const describeDays = (days: number): string => (days === 0 ? 'forever' : `${days} days`);
