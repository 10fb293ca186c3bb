import type { Statement } from 'better-sqlite3';
import { appendAudit, serverActor } from './audit.js';
import { hex } from './chain.js';
import type { Db } from '../db/database.js';
import { PurgeExtras } from './purge-dependents.js';
import type { PurgeDone, WriteFailed, WriteOp } from '../write/write-ops.js';

interface OldRow { id: number; seq: number; ts: number; hash: Buffer | null }
interface CheckpointRow { through_seq: number; purged: number }

type PurgeOp = Extract<WriteOp, { k: 'purge' }>;

/**
 * Retention's delete, applied on the writer thread inside a batch's
 * transaction: at most `max` rows, so a batch of sends waits for it only a few
 * milliseconds. Only a prefix of the room is removed (oldest seqs first, up to
 * the first message that is still young enough), so the chain stays whole
 * above the horizon, and the checkpoint records the hash it resumes from.
 */
export class Purger {
  private readonly holdOf: Statement<[number], { legal_hold: number }>;
  private readonly oldest: Statement<[number, number], OldRow>;
  private readonly deleteMessages: Statement<[number, number]>;
  private readonly deleteIndex: Statement<[number]>;
  private readonly checkpointOf: Statement<[number], CheckpointRow>;
  private readonly saveCheckpoint: Statement<[number, number, number, Buffer, number, number]>;
  /** State, reactions, mentions, file links and old changes of the purged messages. */
  private readonly extras: PurgeExtras;

  constructor(private readonly db: Db) {
    this.holdOf = db.prepare('SELECT legal_hold FROM retention WHERE room_id = ?');
    this.oldest = db.prepare('SELECT id, seq, ts, hash FROM messages WHERE room_id = ? ORDER BY seq LIMIT +?');
    this.deleteMessages = db.prepare('DELETE FROM messages WHERE room_id = ? AND seq <= ?');
    this.deleteIndex = db.prepare('DELETE FROM messages_fts WHERE rowid = ?');
    this.checkpointOf = db.prepare('SELECT through_seq, purged FROM purge_checkpoints WHERE room_id = ?');
    this.saveCheckpoint = db.prepare(`
      INSERT INTO purge_checkpoints (room_id, through_seq, through_msg_id, hash, purged, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(room_id) DO UPDATE SET through_seq = excluded.through_seq,
        through_msg_id = max(through_msg_id, excluded.through_msg_id), hash = excluded.hash,
        purged = purged + excluded.purged, updated_at = excluded.updated_at`);
    this.extras = new PurgeExtras(db);
  }

  purge(op: PurgeOp, now: number): PurgeDone | WriteFailed {
    const prior = this.checkpointOf.get(op.room);
    const priorSeq = prior?.through_seq ?? 0;
    // A legal hold set after the job read the policy still wins: checked inside the transaction.
    if ((this.holdOf.get(op.room)?.legal_hold ?? 0) !== 0) return { ok: true, purged: 0, throughSeq: priorSeq, more: false };
    const rows = this.oldest.all(op.room, op.max + 1);
    let last: OldRow | undefined;
    let maxId = 0;
    let n = 0;
    for (const r of rows) {
      if (n === op.max || r.ts >= op.before) break;
      if (r.hash === null) return { ok: false, code: 'internal', message: `message ${r.id} has no chain hash` };
      last = r;
      if (r.id > maxId) maxId = r.id;
      n++;
    }
    if (last === undefined) {
      // No message left to purge; the changes of those purged earlier may still be going, a step at a time.
      if (priorSeq === 0) return { ok: true, purged: 0, throughSeq: priorSeq, more: false };
      const took = this.extras.oldChanges(op.room, priorSeq, op.before, op.max);
      // Edit texts and reactions removed are signed off like messages, with the change checkpoint.
      if (took.through !== undefined) {
        appendAudit(this.db, serverActor('retention'), 'retention.purge', {
          room: op.room, throughSeq: priorSeq, throughCseq: took.through.cseq, changeCheckpointHash: hex(took.through.hash),
        }, now);
      }
      return { ok: true, purged: 0, throughSeq: priorSeq, more: took.more };
    }
    for (let i = 0; i < n; i++) this.deleteIndex.run((rows[i] as OldRow).id);
    this.deleteMessages.run(op.room, last.seq);
    const moreChanges = this.extras.purged(op.room, last.seq, op.before, op.max);
    this.saveCheckpoint.run(op.room, last.seq, maxId, last.hash as Buffer, n, now);
    const next = rows[n];
    const moreMessages = next !== undefined && next.ts < op.before;
    const more = moreMessages || moreChanges;
    if (!moreMessages) {
      // The end of a purge run is signed off in the (chained) audit log with the checkpoint hash.
      appendAudit(this.db, serverActor('retention'), 'retention.purge', {
        room: op.room, throughSeq: last.seq, checkpointHash: hex(last.hash), purgedAllTime: (prior?.purged ?? 0) + n,
      }, now);
    }
    return { ok: true, purged: n, throughSeq: last.seq, more };
  }
}
