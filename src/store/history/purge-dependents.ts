import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';
import { FileRows } from '../files/file-rows.js';

interface ChangeRow { cseq: number; seq: number; ts: number; hash: Buffer }

/**
 * What a retention purge removes besides the message rows: the
 * visible state, reactions and mention marks of the purged seqs, their file
 * links (files left with no message are then collected by the file job), and
 * the prefix of the room's change log that is older than the cutoff and
 * concerns only purged messages, with a checkpoint so the change chain still
 * verifies from where it resumes. Runs inside the purge's transaction.
 */
export class PurgeExtras {
  private readonly files: FileRows;
  private readonly drop: Statement<[number, number]>[];
  private readonly oldestChanges: Statement<[number, number], ChangeRow>;
  private readonly dropChanges: Statement<[number, number]>;
  private readonly saveCheckpoint: Statement<[number, number, Buffer]>;

  constructor(db: Db) {
    this.files = new FileRows(db);
    this.drop = [
      db.prepare('DELETE FROM message_state WHERE room_id = ? AND seq <= ?'),
      db.prepare('DELETE FROM reactions WHERE room_id = ? AND seq <= ?'),
      db.prepare('DELETE FROM mentions WHERE room_id = ? AND seq <= ?'),
    ];
    this.oldestChanges = db.prepare('SELECT cseq, seq, ts, hash FROM message_changes WHERE room_id = ? ORDER BY cseq LIMIT +?');
    this.dropChanges = db.prepare('DELETE FROM message_changes WHERE room_id = ? AND cseq <= ?');
    this.saveCheckpoint = db.prepare(`INSERT INTO change_checkpoints (room_id, through_cseq, hash) VALUES (?, ?, ?)
      ON CONFLICT(room_id) DO UPDATE SET through_cseq = excluded.through_cseq, hash = excluded.hash`);
  }

  /**
   * Messages with seq <= throughSeq were just purged; changes older than
   * `before` may go with them, at most `max` in one step. True when it took
   * `max` and more may follow (the caller steps again, see `oldChanges`).
   */
  purged(room: number, throughSeq: number, before: number, max: number): boolean {
    for (const s of this.drop) s.run(room, throughSeq);
    this.files.detach(room, 0, throughSeq);
    return this.oldChanges(room, throughSeq, before, max).more;
  }

  /**
   * Drops the oldest changes of the room while they concern messages through
   * `throughSeq` (purged) and are older than `before`, at most `max`, leaving
   * a checkpoint where the change chain resumes. `more` when it took `max` and
   * the next one may qualify too: a message's edits and reactions can
   * outnumber the purge step, and each is taken in a later one. `through`:
   * the change checkpoint it left, when it took any.
   */
  oldChanges(room: number, throughSeq: number, before: number, max: number): { more: boolean; through?: { cseq: number; hash: Buffer } } {
    let last: ChangeRow | undefined;
    let taken = 0;
    let stopped = false;
    for (const c of this.oldestChanges.iterate(room, max)) {
      if (c.ts >= before || c.seq > throughSeq) {
        stopped = true;
        break;
      }
      last = c;
      taken++;
    }
    if (last === undefined) return { more: false };
    this.dropChanges.run(room, last.cseq);
    this.saveCheckpoint.run(room, last.cseq, last.hash);
    return { more: !stopped && taken === max, through: { cseq: last.cseq, hash: last.hash } };
  }
}
