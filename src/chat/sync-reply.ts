import type { SyncedRoom } from '../protocol/server-frames.js';
import type { HistorySource } from './ports.js';

/** One room a `sync` asks about: its message cursor and/or its change cursor. */
export interface SyncAsk {
  room: string;
  roomId: number;
  /** Messages after this seq; absent for a room named in `changesSince` only. */
  afterSeq?: number;
  /** Changes after this cseq; absent when the room is not in `changesSince`. */
  afterCseq?: number;
  /** The first seq the member may read (after their join in a `history: joined` room); 1 or absent: all. */
  floorSeq?: number;
}

export type { SyncedRoom };

export interface SyncBounds {
  /** Most messages (and, separately, change entries) for one room. */
  perRoom: number;
  /** Most messages (and, separately, change entries) in the whole reply. */
  total: number;
}

/**
 * Reads what each room missed, in the order asked, on the event loop. The
 * whole reply holds at most `total` messages and `total` change entries, so
 * one frame's work is bounded however many rooms it names: once a budget is
 * spent, the rooms after it are not read and come back with `more` (or
 * `moreChanges`) set and their cursor unchanged, and the client asks again
 * from where it got to.
 */
export function readSync(history: HistorySource, asks: readonly SyncAsk[], bounds: SyncBounds, viewer: number): SyncedRoom[] {
  let messagesLeft = bounds.total;
  let changesLeft = bounds.total;
  const rooms: SyncedRoom[] = [];
  for (const ask of asks) {
    // Changes first: a message read after them already shows any change committed in between.
    let changes: Pick<SyncedRoom, 'changes' | 'moreChanges' | 'lastCseq'> = {};
    if (ask.afterCseq !== undefined && history.changesSince !== undefined) {
      if (changesLeft > 0) {
        const page = history.changesSince(ask.roomId, ask.afterCseq, Math.min(bounds.perRoom, changesLeft));
        // Budgeted by rows read, not entries returned: superseded edits are read but not sent.
        changesLeft -= page.lastCseq - ask.afterCseq;
        const floor = ask.floorSeq ?? 1;
        changes = floor > 1 ? { ...page, changes: page.changes.filter((c) => c.seq >= floor) } : page;
      } else {
        changes = { changes: [], moreChanges: true, lastCseq: ask.afterCseq };
      }
    }
    let page: Pick<SyncedRoom, 'messages' | 'more'> = { messages: [], more: false };
    if (ask.afterSeq !== undefined) {
      if (messagesLeft > 0) {
        page = history.since(ask.roomId, Math.max(ask.afterSeq, (ask.floorSeq ?? 1) - 1), Math.min(bounds.perRoom, messagesLeft), viewer);
        messagesLeft -= page.messages.length;
      } else {
        page = { messages: [], more: true };
      }
    }
    rooms.push({ room: ask.room, ...page, ...changes });
  }
  return rooms;
}
