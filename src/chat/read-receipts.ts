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

export interface ReadReceiptsDeps {
  writer: WriteQueue;
  fanout: Fanout;
  /** Markers that move within this many ms go to their room as one frame (0: each at once). */
  windowMs: number;
  schedule?: Schedule;
}

/** Who asked for the newest read of a (room, user) this window: a failure is answered to them. */
interface Asker { peer: Peer; id: string | undefined }

/** The newest read of a (room, user) this window. */
interface Pending { room: number; user: number; seq: number; asker: Asker }

/**
 * Read markers, gathered for a window and then written and announced together.
 * When N members of a busy room read each new message, every reader would
 * otherwise cost a write and a frame to all N (N² frames per message). Here a
 * window's reads cost one write per (room, user) that read (the newest seq
 * wins), all submitted at once so they share the writer's batch, and one
 * frame per room once those writes are durable.
 *
 * Bounded state: one entry per (room, user) that read this window. One
 * server-wide timer, armed only while reads wait. A read is never answered on
 * success; a marker reaches the database at most one window late, which no
 * client can tell from a slow network.
 */
export class ReadReceipts {
  private waiting = new Map<string, Pending>();
  private cancelFlush: (() => void) | null = null;
  private closed = false;
  private readonly schedule: Schedule;

  constructor(private readonly deps: ReadReceiptsDeps) {
    this.schedule = deps.schedule ?? unrefTimer;
  }

  /** The caller has checked membership; the writer checks it again at commit. */
  read(peer: Peer, room: number, seq: number, id: string | undefined): void {
    if (this.closed) return;
    const key = `${room}:${peer.userId}`;
    const pending = this.waiting.get(key);
    if (pending === undefined) this.waiting.set(key, { room, user: peer.userId, seq, asker: { peer, id } });
    else if (seq > pending.seq) {
      pending.seq = seq;
      pending.asker = { peer, id };
    }
    if (this.deps.windowMs === 0) return this.flush();
    this.cancelFlush ??= this.schedule(() => {
      this.cancelFlush = null;
      this.flush();
    }, this.deps.windowMs);
  }

  /** Ends the window: writes every read that waited, then announces the markers that moved, one frame per room. */
  flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = null;
    const reads = this.waiting;
    this.waiting = new Map();
    const moved = new Map<number, Map<number, number>>();
    let left = reads.size;
    const settled = (): void => {
      if (--left === 0) this.announce(moved);
    };
    for (const r of reads.values()) {
      const queued = this.deps.writer.submit({ k: 'read', room: r.room, user: r.user, seq: r.seq }, (result) => {
        try {
          if (!result.ok) r.asker.peer.send(errorFrame(r.asker.id, result.code, result.message));
          else if (result.moved) note(moved, r.room, r.user, result.seq);
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
  }

  /** Stops the timer and forgets reads not yet written: the client reads again on its next message. */
  close(): void {
    this.closed = true;
    this.cancelFlush?.();
    this.cancelFlush = null;
    this.waiting.clear();
  }

  private announce(moved: ReadonlyMap<number, ReadonlyMap<number, number>>): void {
    if (this.closed) return;
    for (const [room, users] of moved) {
      try {
        this.deps.fanout.publish(roomTopic(room), receiptFrame(room, users));
      } catch {
        // One room's failed publish must not cost the other rooms their receipts.
      }
    }
  }
}

function note(moved: Map<number, Map<number, number>>, room: number, user: number, seq: number): void {
  let users = moved.get(room);
  if (users === undefined) {
    users = new Map();
    moved.set(room, users);
  }
  users.set(user, Math.max(users.get(user) ?? 0, seq));
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
