import { encodeFrame } from '../protocol/server-frames.js';
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

/** When windows end: a timer and the clock it is read against, replaced together (tests move both by hand). */
export interface WindowTimer {
  schedule: Schedule;
  /** Milliseconds on a clock that only moves forward. */
  clock: () => number;
}

/** The real timer: an unref'd setTimeout against performance.now(). */
export const REAL_WINDOW_TIMER: WindowTimer = { schedule: unrefTimer, clock: () => performance.now() };

export interface ReadReceiptsDeps {
  writer: WriteQueue;
  fanout: Fanout;
  /** A room's markers that move within this many ms go to it as one frame (0: each at once). */
  windowMs: number;
  timer?: WindowTimer;
}

/** How long an ended window waits for the room's next message to travel with: a quiet room gets its receipts then. */
export const MESSAGE_WAIT_MS = 800;

/** Who asked for the newest read of a (room, user) this window: a failure is answered to them. */
interface Asker { peer: Peer; id: string | undefined }

/** The newest read of one user in a room's window. */
interface Pending { seq: number; asker: Asker }

/** A room's open window: when it ends, and the newest read of each user in it. */
interface RoomWindow { due: number; reads: Map<number, Pending> }

/**
 * Read markers, gathered per room for a window and then written and announced
 * together. When N members of a busy room read each new message, every reader
 * would otherwise cost a write and a frame to all N (N² frames per message).
 * Here a room's window costs one write per user who read in it (the newest seq
 * wins), submitted at once so they share the writer's batch, and one frame to
 * the room once those writes are durable.
 *
 * Each room's window opens with its first read, so rooms end their windows at
 * different moments: one server-wide window would send every room's receipts
 * in the same instant, a burst of (rooms × members) frames that delays the
 * messages queued behind it.
 *
 * An ended window waits for the room's next message (at most MESSAGE_WAIT_MS):
 * its writes then join the message's commit, and its frame leaves in the same
 * event-loop turn as the message, so uWS writes both to each member in one
 * syscall. Flushed on their own, a busy room's receipts cost a commit of their
 * own and a second write to every member — more than the reads themselves.
 *
 * Bounded state: one entry per (room, user) that read in an open window. One
 * server-wide timer, armed for the earliest window's latest end and only while
 * reads wait. Windows all last as long, so the map's insertion order is the
 * order they end in. A read is never answered on success; a marker reaches the
 * database about a second late at most, which no client can tell from a slow
 * network.
 */
export class ReadReceipts {
  private waiting = new Map<number, RoomWindow>();
  private cancelTimer: (() => void) | null = null;
  private closed = false;
  private readonly schedule: Schedule;
  private readonly clock: () => number;
  private readonly messageWaitMs: number;

  constructor(private readonly deps: ReadReceiptsDeps) {
    const timer = deps.timer ?? REAL_WINDOW_TIMER;
    this.schedule = timer.schedule;
    this.clock = timer.clock;
    this.messageWaitMs = deps.windowMs === 0 ? 0 : MESSAGE_WAIT_MS;
  }

  /** The caller has checked membership; the writer checks it again at commit. */
  read(peer: Peer, room: number, seq: number, id: string | undefined): void {
    if (this.closed) return;
    let window = this.waiting.get(room);
    if (window === undefined) {
      window = { due: this.clock() + this.deps.windowMs, reads: new Map() };
      this.waiting.set(room, window);
    }
    const pending = window.reads.get(peer.userId);
    if (pending === undefined) window.reads.set(peer.userId, { seq, asker: { peer, id } });
    else if (seq > pending.seq) {
      pending.seq = seq;
      pending.asker = { peer, id };
    }
    if (this.deps.windowMs === 0) {
      this.waiting.delete(room);
      return this.flush(room, window.reads);
    }
    this.arm();
  }

  /**
   * Called as a message to `room` is submitted, inside the writer's
   * together(): an ended window's writes join the message's commit.
   */
  beforeMessage(room: number): void {
    const window = this.waiting.get(room);
    if (window === undefined || window.due > this.clock()) return;
    this.waiting.delete(room);
    this.flush(room, window.reads);
  }

  /** Stops the timer and forgets reads not yet written: the client reads again on its next message. */
  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.waiting.clear();
  }

  /** Arms the one timer for the earliest window's end, unless it is armed already. */
  private arm(): void {
    if (this.cancelTimer !== null || this.closed) return;
    const first = this.waiting.values().next();
    if (first.done === true) return;
    const latest = first.value.due + this.messageWaitMs;
    this.cancelTimer = this.schedule(() => this.endLate(), Math.max(1, latest - this.clock()));
  }

  /** Ends every window that waited as long as it may, then waits for the next. */
  private endLate(): void {
    this.cancelTimer = null;
    const now = this.clock();
    try {
      for (const [room, window] of this.waiting) {
        if (window.due + this.messageWaitMs > now) break;
        this.waiting.delete(room);
        this.flush(room, window.reads);
      }
    } finally {
      this.arm();
    }
  }

  /** Writes a room's window, then announces the markers that moved in one frame. */
  private flush(room: number, reads: ReadonlyMap<number, Pending>): void {
    const moved = new Map<number, number>();
    let left = reads.size;
    const settled = (): void => {
      if (--left === 0) this.announce(room, moved);
    };
    this.deps.writer.together(() => {
      for (const [user, r] of reads) {
        const queued = this.deps.writer.submit({ k: 'read', room, user, seq: r.seq }, (result) => {
          try {
            if (!result.ok) r.asker.peer.send(errorFrame(r.asker.id, result.code, result.message));
            else if (result.moved) moved.set(user, result.seq);
          } finally {
            settled();
          }
        });
        if (!queued) {
          try {
            r.asker.peer.send(errorFrame(r.asker.id, overloaded.code, overloaded.message));
          } finally {
            settled();
          }
        }
      }
    });
  }

  private announce(room: number, users: ReadonlyMap<number, number>): void {
    if (this.closed || users.size === 0) return;
    this.deps.fanout.publish(roomTopic(room), receiptFrame(room, users));
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
    return encodeFrame({ type: 'receipt', room: String(room), user, seq });
  }
  return encodeFrame({ type: 'receipts', room: String(room), reads });
}
