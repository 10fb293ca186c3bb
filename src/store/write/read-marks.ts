import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';

interface Mark { room: number; user: number; seq: number; streamed: boolean }

/**
 * The read markers one batch moves, written once each when it commits: a
 * member who reads several times in a batch (or reads, then sends) costs one
 * UPDATE.
 *
 * A mark moved by reading takes the batch's Matrix stream position
 * (members.read_pos), so an incremental /sync finds it by position; one
 * stream row stands for the batch and replaces the one before it, which is
 * enough to move the position clients sync up to. A mark moved by sending
 * takes none: Matrix clients infer that receipt from the event's sender.
 */
export class ReadMarks {
  private readonly marks = new Map<string, Mark>();
  private readonly move: Statement<[number, number, number, number]>;
  private readonly moveStreamed: Statement<[number, number, number, number, number]>;
  private readonly addPosition: Statement<[]>;
  private readonly dropOlderPositions: Statement<[number]>;

  constructor(db: Db) {
    this.move = db.prepare('UPDATE members SET read_seq = ? WHERE room_id = ? AND user_id = ? AND read_seq < ?');
    this.moveStreamed = db.prepare('UPDATE members SET read_seq = ?, read_pos = ? WHERE room_id = ? AND user_id = ? AND read_seq < ?');
    this.addPosition = db.prepare("INSERT INTO matrix_stream (room_id, kind, ref) VALUES (0, 'read', 0)");
    this.dropOlderPositions = db.prepare("DELETE FROM matrix_stream WHERE kind = 'read' AND room_id = 0 AND ref = 0 AND pos < ?");
  }

  /** The mark this batch has moved (room, user) to, if any. */
  pending(room: number, user: number): number | undefined {
    return this.marks.get(`${room}:${user}`)?.seq;
  }

  /** Moves a mark; the caller has checked that `seq` is past the current one. */
  set(room: number, user: number, seq: number, streamed: boolean): void {
    this.marks.set(`${room}:${user}`, { room, user, seq, streamed });
  }

  /** Writes the batch's marks (inside its transaction) and forgets them. */
  flush(): void {
    let pos = 0;
    for (const m of this.marks.values()) {
      if (!m.streamed) {
        this.move.run(m.seq, m.room, m.user, m.seq);
        continue;
      }
      if (pos === 0) {
        pos = Number(this.addPosition.run().lastInsertRowid);
        this.dropOlderPositions.run(pos);
      }
      this.moveStreamed.run(m.seq, pos, m.room, m.user, m.seq);
    }
    this.marks.clear();
  }

  /** A failed batch's marks were never written. */
  reset(): void {
    this.marks.clear();
  }
}
