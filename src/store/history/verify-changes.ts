import { changeHash, GENESIS, hex, payloadHash, type ChainedChange } from './chain.js';
import type { Db } from '../db/database.js';

export interface ChangeChainReport {
  /** Change rows checked. */
  count: number;
  lastCseq: number;
  head: string;
  ok: boolean;
  problem?: { kind: 'altered' | 'removed' | 'inserted'; cseq: number; detail: string };
}

interface Row extends ChainedChange { body: string | null; hash: Buffer }

/**
 * Recomputes a room's change chain (edits, deletions, reactions)
 * from its checkpoint, and checks each change's payload against its text
 * where the text is still kept (a scrubbed edit has none). Also returns the
 * message hashes the (verified) chain vouches for, by seq: a message whose
 * hidden text was lawfully scrubbed no longer matches its own hash, and is
 * accepted when a verified edit or delete recorded exactly that hash.
 */
export interface VerifiedChanges {
  report: ChangeChainReport;
  vouched: Map<number, Set<string>>;
  /** By seq: the payload hash of the message's last edit in the chain. */
  lastEdit: Map<number, Buffer>;
  /** Seqs the chain deleted. */
  deleted: Set<number>;
}

export function verifyChanges(db: Db, room: { id: number; last_cseq: number }): VerifiedChanges {
  const cp = db.prepare('SELECT through_cseq, hash FROM change_checkpoints WHERE room_id = ?').get(room.id) as { through_cseq: number; hash: Buffer } | undefined;
  let prev = cp?.hash ?? GENESIS;
  let expected = (cp?.through_cseq ?? 0) + 1;
  const vouched = new Map<number, Set<string>>();
  const lastEdit = new Map<number, Buffer>();
  const deleted = new Set<number>();
  const report: ChangeChainReport = { count: 0, lastCseq: room.last_cseq, head: hex(prev), ok: true };
  const fail = (problem: NonNullable<ChangeChainReport['problem']>): VerifiedChanges =>
    ({ report: { ...report, head: hex(prev), ok: false, problem }, vouched: new Map(), lastEdit: new Map(), deleted: new Set() });
  const rows = db.prepare(`SELECT room_id, cseq, seq, kind, user_id, ts, body, payload_hash, target_hash, hash
    FROM message_changes WHERE room_id = ? ORDER BY cseq`).iterate(room.id) as IterableIterator<Row>;
  // for…of closes the statement's iterator on every early return.
  for (const r of rows) {
    if (r.cseq < expected) return fail({ kind: 'inserted', cseq: r.cseq, detail: `change ${r.cseq} lies below the change checkpoint (${expected})` });
    if (r.cseq > expected) return fail({ kind: 'removed', cseq: expected, detail: `change ${expected} missing before change ${r.cseq}` });
    if (r.cseq > room.last_cseq) return fail({ kind: 'inserted', cseq: r.cseq, detail: `change ${r.cseq} is beyond the room's last change ${room.last_cseq}` });
    if (!changeHash(prev, r).equals(r.hash)) return fail({ kind: 'altered', cseq: r.cseq, detail: `change ${r.cseq} (on seq ${r.seq}) does not match its hash` });
    if (r.body !== null && !payloadHash(r.body).equals(r.payload_hash)) {
      return fail({ kind: 'altered', cseq: r.cseq, detail: `the text of change ${r.cseq} (on seq ${r.seq}) was altered` });
    }
    if (r.kind === 'edit' || r.kind === 'delete') {
      const set = vouched.get(r.seq) ?? new Set<string>();
      set.add(hex(r.target_hash));
      vouched.set(r.seq, set);
    }
    if (r.kind === 'edit') lastEdit.set(r.seq, r.payload_hash);
    if (r.kind === 'delete') deleted.add(r.seq);
    prev = r.hash;
    expected++;
    report.count++;
  }
  if (expected - 1 < room.last_cseq) return fail({ kind: 'removed', cseq: expected, detail: `changes ${expected}..${room.last_cseq} missing at the end` });
  return { report: { ...report, head: hex(prev) }, vouched, lastEdit, deleted };
}

/**
 * The first message whose shown state (`message_state`: the text people and
 * exports see, the deleted mark) the verified change chain does not account
 * for: shown text that is not its last edit's, or a deletion the chain never made.
 */
export function unvouchedState(db: Db, room: number, chain: VerifiedChanges, horizon: number): { seq: number; detail: string } | undefined {
  const rows = db.prepare('SELECT seq, body, deleted_at FROM message_state WHERE room_id = ? ORDER BY seq')
    .iterate(room) as IterableIterator<{ seq: number; body: string | null; deleted_at: number | null }>;
  const shown = new Map<number, { edited: boolean; deleted: boolean }>();
  for (const r of rows) {
    if (r.deleted_at !== null && !chain.deleted.has(r.seq)) return { seq: r.seq, detail: `message at seq ${r.seq} is shown as deleted, but no deletion of it is in the change chain` };
    const edit = chain.lastEdit.get(r.seq);
    if (r.body !== null && (edit === undefined || !payloadHash(r.body).equals(edit))) {
      return { seq: r.seq, detail: `the text shown for message at seq ${r.seq} is not its last edit's` };
    }
    shown.set(r.seq, { edited: r.body !== null, deleted: r.deleted_at !== null });
  }
  // And the other way: every deletion and last edit the chain holds for a message still stored is what it shows.
  for (const seq of chain.deleted) {
    if (seq >= horizon && shown.get(seq)?.deleted !== true) return { seq, detail: `message at seq ${seq} was deleted in the change chain, but is shown as standing` };
  }
  for (const seq of chain.lastEdit.keys()) {
    if (seq >= horizon && !chain.deleted.has(seq) && shown.get(seq)?.edited !== true) return { seq, detail: `message at seq ${seq} was edited in the change chain, but does not show its last edit's text` };
  }
  return undefined;
}
