import { GENESIS, hex, messageHash, type ChainedMessage } from './chain.js';
import type { Db } from '../db/database.js';
import { unvouchedState, verifyChanges, type ChangeChainReport } from './verify-changes.js';

export type ProblemKind = 'altered' | 'inserted' | 'removed';

export interface ChainProblem {
  kind: ProblemKind;
  /** The first seq where the chain breaks. */
  seq: number;
  msgId?: number;
  detail: string;
}

export interface RoomChainReport {
  room: number;
  name: string;
  /** Rows checked (those above the purge horizon). */
  messages: number;
  /** Lowest seq still stored according to the checkpoint (1 when nothing was purged). */
  horizon: number;
  lastSeq: number;
  /** The hash of the last good row: copy it somewhere to anchor the chain. */
  head: string;
  ok: boolean;
  problem?: ChainProblem;
  /** The room's change chain: edits, deletions, reactions. */
  changes?: ChangeChainReport;
}

interface Row extends ChainedMessage { hash: Buffer | null }

/**
 * Recomputes one room's chain from its purge checkpoint (or from genesis) and
 * reports the first row that was altered, inserted or removed. Stops at the
 * first problem: nothing after a broken link can be trusted.
 */
export function verifyRoom(db: Db, room: { id: number; name: string; last_seq: number; last_cseq?: number }): RoomChainReport {
  const changes = verifyChanges(db, { id: room.id, last_cseq: room.last_cseq ?? 0 });
  const cp = db.prepare('SELECT through_seq, hash FROM purge_checkpoints WHERE room_id = ?').get(room.id) as { through_seq: number; hash: Buffer } | undefined;
  let prev = cp?.hash ?? GENESIS;
  let expected = (cp?.through_seq ?? 0) + 1;
  const report: RoomChainReport = {
    room: room.id, name: room.name, messages: 0, horizon: expected, lastSeq: room.last_seq, head: hex(prev), ok: changes.report.ok, changes: changes.report,
  };
  const fail = (problem: ChainProblem): RoomChainReport => ({ ...report, head: hex(prev), ok: false, problem });
  const rows = db.prepare('SELECT id, room_id, seq, sender_id, client_msg_id, body, ts, extra, hash FROM messages WHERE room_id = ? ORDER BY seq')
    .iterate(room.id) as IterableIterator<Row>;
  let prevId = 0;
  try {
    let next = rows.next();
    while (next.done !== true) {
      const r = next.value;
      next = rows.next();
      if (r.seq < expected) return fail({ kind: 'inserted', seq: r.seq, msgId: r.id, detail: `seq ${r.seq} lies below the purge horizon (${expected})` });
      if (r.seq > expected) {
        return fail({ kind: 'removed', seq: expected, detail: `seq ${expected}${r.seq - 1 > expected ? `..${r.seq - 1}` : ''} missing before message ${r.id}` });
      }
      if (r.seq > room.last_seq) return fail({ kind: 'inserted', seq: r.seq, msgId: r.id, detail: `seq ${r.seq} is beyond the room's last seq ${room.last_seq}` });
      // A row whose hidden text was scrubbed (edited or deleted, no legal hold) keeps the hash the change chain recorded.
      const scrubbed = r.hash !== null && r.body === '' && changes.vouched.get(r.seq)?.has(hex(r.hash)) === true;
      if (!scrubbed && (r.hash === null || !messageHash(prev, r).equals(r.hash))) {
        // Ids grow with seq: a row whose id breaks that order was put there later.
        const following = next.done === true ? undefined : next.value;
        const outOfOrder = r.id <= prevId || (following !== undefined && following.id <= r.id);
        return fail(outOfOrder
          ? { kind: 'inserted', seq: r.seq, msgId: r.id, detail: `message ${r.id} at seq ${r.seq} does not belong to the chain` }
          : { kind: 'altered', seq: r.seq, msgId: r.id, detail: `message ${r.id} at seq ${r.seq} does not match its hash` });
      }
      prev = r.hash as Buffer;
      prevId = r.id;
      expected++;
      report.messages++;
    }
  } finally {
    rows.return?.();
  }
  if (expected - 1 < room.last_seq) {
    return fail({ kind: 'removed', seq: expected, detail: `seq ${expected}${room.last_seq > expected ? `..${room.last_seq}` : ''} missing at the end of the room` });
  }
  // What people (and exports) see of an edited or deleted message must be what the verified chain made it.
  const shown = changes.report.ok ? unvouchedState(db, room.id, changes, report.horizon) : undefined;
  if (shown !== undefined) return fail({ kind: 'altered', seq: shown.seq, detail: shown.detail });
  return { ...report, head: hex(prev) };
}

export interface ChainReport { ok: boolean; rooms: RoomChainReport[] }

/** Every room (or one), in one read transaction so the whole report describes one moment. */
export function verifyChains(db: Db, roomId?: number): ChainReport {
  return db.transaction(() => {
    const rooms = (roomId === undefined
      ? db.prepare('SELECT id, name, last_seq, last_cseq FROM rooms ORDER BY id').all()
      : db.prepare('SELECT id, name, last_seq, last_cseq FROM rooms WHERE id = ?').all(roomId)) as Array<{ id: number; name: string; last_seq: number; last_cseq: number }>;
    const reports = rooms.map((r) => verifyRoom(db, r));
    return { ok: reports.every((r) => r.ok), rooms: reports };
  })();
}
