import { roomTopic, type Fanout, type Peer, type WriteQueue } from './ports.js';
import { errorFrame, overloaded } from './replies.js';

/** Runs `flush` once, `ms` from now; the returned function cancels it. */
export type Schedule = (flush: () => void, ms: number) => () => void;

/** A timer that never keeps the process alive on its own: shutdown need not wait for a window to end. */
export const unrefTimer: Schedule = (flush, ms) => {
  const timer = setTimeout(flush, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface ReadReceiptsDeps {
  writer: WriteQueue;
  fanout: Fanout;
  /** Markers that move within this many ms go to their room as one frame (0: each at once). */
  windowMs: number;
  schedule?: Schedule;
}

/** Who asked for the newest read of a (room, user) still to be written: a failure is answered to them. */
interface Asker { peer: Peer; id: string | undefined }

/** A (room, user) whose read is in the writer; `next` is the newest read that arrived since (latest wins). */
interface Writing { next: number; asker: Asker | null }

/**
 * Read markers: written through the writer's group commit and announced to the
 * room at most once per window. When N members of a busy room read each new
 * message, every reader would otherwise cost a frame to all N (N² frames per
 * message); one frame per room per window carries every marker that moved.
 *
 * Bounded state: one entry per (room, user) with a read in the writer, one per
 * (room, user) whose marker moved this window. One server-wide timer, armed
 * only while some marker waits to be announced.
 */
export class ReadReceipts {
  private readonly writing = new Map<string, Writing>();
  private moved = new Map<number, Map<number, number>>();
  private cancelFlush: (() => void) | null = null;
  private closed = false;
  private readonly schedule: Schedule;

  constructor(private readonly deps: ReadReceiptsDeps) {
    this.schedule = deps.schedule ?? unrefTimer;
  }

  /** The caller has checked membership; the writer checks it again at commit. */
  read(peer: Peer, room: number, seq: number, id: string | undefined): void {
    const key = `${room}:${peer.userId}`;
    const waiting = this.writing.get(key);
    if (waiting !== undefined) {
      // One write per (room, user) at a time: later reads merge into the next one.
      if (waiting.asker === null || seq > waiting.next) {
        waiting.next = Math.max(waiting.next, seq);
        waiting.asker = { peer, id };
      }
      return;
    }
    this.write(key, room, peer.userId, seq, { peer, id });
  }

  /** Publishes every marker that moved since the last flush: one frame per room. */
  flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = null;
    const rooms = this.moved;
    this.moved = new Map();
    for (const [room, users] of rooms) {
      try {
        this.deps.fanout.publish(roomTopic(room), receiptFrame(room, users));
      } catch {
        // One room's failed publish must not cost the other rooms their receipts.
      }
    }
  }

  /** Stops the timer and forgets unannounced markers (they are durable; clients see them via `rooms`). */
  close(): void {
    this.closed = true;
    this.cancelFlush?.();
    this.cancelFlush = null;
    this.moved.clear();
  }

  private write(key: string, room: number, user: number, seq: number, asker: Asker): void {
    const entry: Writing = { next: 0, asker: null };
    this.writing.set(key, entry);
    const queued = this.deps.writer.submit({ k: 'read', room, user, seq }, (r) => {
      this.writing.delete(key);
      // The merged read goes first, so a failing reply below cannot strand it.
      if (entry.asker !== null) this.write(key, room, user, entry.next, entry.asker);
      if (!r.ok) asker.peer.send(errorFrame(asker.id, r.code, r.message));
      else if (r.moved) this.note(room, user, r.seq);
    });
    if (!queued) {
      this.writing.delete(key);
      asker.peer.send(errorFrame(asker.id, overloaded.code, overloaded.message));
    }
  }

  private note(room: number, user: number, seq: number): void {
    if (this.closed) return;
    let users = this.moved.get(room);
    if (users === undefined) {
      users = new Map();
      this.moved.set(room, users);
    }
    users.set(user, Math.max(users.get(user) ?? 0, seq));
    if (this.deps.windowMs === 0) return this.flush();
    this.cancelFlush ??= this.schedule(() => {
      this.cancelFlush = null;
      this.flush();
    }, this.deps.windowMs);
  }
}

/**
 * A lone marker keeps the v1 `receipt` frame, so clients that predate
 * `receipts` still see it in a quiet room; several go as one `receipts`.
 */
function receiptFrame(room: number, users: ReadonlyMap<number, number>): string {
  const reads = [...users].map(([user, seq]) => ({ user: String(user), seq }));
  const [only] = reads;
  if (reads.length === 1 && only !== undefined) {
    const { user, seq } = only;
    return JSON.stringify({ type: 'receipt', room: String(room), user, seq });
  }
  return JSON.stringify({ type: 'receipts', room: String(room), reads });
}
