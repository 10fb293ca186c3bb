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

  /** Messages with seq <= throughSeq were just purged; changes older than `before` may go with them. */
  purged(room: number, throughSeq: number, before: number, max: number): void {
    for (const s of this.drop) s.run(room, throughSeq);
    this.files.detach(room, 0, throughSeq);
    let last: ChangeRow | undefined;
    for (const c of this.oldestChanges.iterate(room, max)) {
      if (c.ts >= before || c.seq > throughSeq) break;
      last = c;
    }
    if (last === undefined) return;
    this.dropChanges.run(room, last.cseq);
    this.saveCheckpoint.run(room, last.cseq, last.hash);
  }
}
