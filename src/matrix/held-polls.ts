import { topicRoom, type CommitWatch } from '../chat/ports.js';

/** A held `/sync`: what it listens to, when it gives up, and how it answers. */
export interface HeldPoll {
  readonly user: number;
  /** The token it was asked with: a poll outlives neither its token's logout nor its device's deletion. */
  readonly tokenHash: string;
  readonly deadline: number;
  /** Reads again; true when it answered (something new), so it is dropped. */
  retry(): boolean;
  /** The timeout passed with nothing new: answer the empty reply. */
  expire(): void;
  /** Its token was revoked while it was held: answered as an unknown token, never with what came after. */
  revoked(): void;
}

/**
 * How the polls woken together share their reads: each slice of a flush
 * runs inside `slice`; `done` once no woken poll is left to read, so what
 * the slices shared can go.
 */
export interface WakeScope {
  slice(wakeUp: () => void): void;
  done(): void;
}

const ALONE: WakeScope = { slice: (wakeUp) => wakeUp(), done: () => undefined };

/** Deadlines are grouped in buckets this wide: one shared timer checks them, never one timer per request. */
const BUCKET_MS = 250;
/**
 * Re-reads run for at most this long in one event-loop turn. A commit in a
 * busy room wakes thousands of polls; read all at once, they held the loop
 * for half a second under load (5,000 polls), and every socket's acks and
 * every other request waited behind them.
 */
export const FLUSH_SLICE_MS = 10;

/** The room's members now (the membership cache's view). */
export type MembersOf = (room: number) => ReadonlySet<number>;

/**
 * Every held `/sync` of the process, listed under its user. A commit's
 * `topic()` marks the polls of the room's members as they are now — not the
 * rooms a poll was held in, so a poll keeps no list of rooms (a user in
 * twenty rooms cost twenty set entries) and a member added while it was held
 * (by the CLI, say) is woken too. One `setImmediate` re-reads each marked
 * poll once however many commits came in between — at most `FLUSH_SLICE_MS`
 * of them per turn, the rest in the turns after, oldest mark first.
 * Timeouts sit in a wheel of 250 ms buckets swept by one interval timer that
 * runs only while polls are held. An aborted request is dropped at once
 * (`drop`).
 */
export class HeldPolls implements CommitWatch {
  /** Most users hold one poll (one device): a Set only for those with more. */
  private readonly byUser = new Map<number, HeldPoll | Set<HeldPoll>>();
  private readonly wheel = new Map<number, Set<HeldPoll>>();
  private readonly marked = new Set<HeldPoll>();
  private flushing = false;
  private sweeper: NodeJS.Timeout | undefined;
  /** A count, not a set of every poll: the wheel already lists each held poll once. */
  private held = 0;

  /** `scope`: lets the polls woken together share reads and renders (the sync builder's per-wake share). */
  constructor(
    private readonly membersOf: MembersOf,
    private readonly onError: (err: unknown) => void, private readonly now: () => number = Date.now,
    private readonly scope: WakeScope = ALONE,
  ) {}

  get size(): number {
    return this.held;
  }

  heldBy(user: number): number {
    const had = this.byUser.get(user);
    return had === undefined ? 0 : had instanceof Set ? had.size : 1;
  }

  hold(poll: HeldPoll): void {
    const had = this.byUser.get(poll.user);
    if (had === undefined) this.byUser.set(poll.user, poll);
    else if (had instanceof Set) had.add(poll);
    else this.byUser.set(poll.user, new Set([had, poll]));
    add(this.wheel, Math.ceil(poll.deadline / BUCKET_MS), poll);
    this.held++;
    this.sweeper ??= setInterval(() => this.sweep(), BUCKET_MS);
    this.sweeper.unref();
  }

  drop(poll: HeldPoll): void {
    if (!remove(this.wheel, Math.ceil(poll.deadline / BUCKET_MS), poll)) return;
    this.held--;
    const had = this.byUser.get(poll.user);
    if (had === poll) this.byUser.delete(poll.user);
    else if (had instanceof Set && had.delete(poll) && had.size === 0) this.byUser.delete(poll.user);
    this.marked.delete(poll);
    if (this.held === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  topic(topic: string): void {
    if (this.held === 0) return;
    const room = topicRoom(topic);
    if (room === undefined) return;
    const members = this.membersOf(room);
    // The smaller side is walked: a big room with few polls held costs the polls, not the members.
    if (members.size <= this.byUser.size) {
      for (const user of members) {
        const polls = this.byUser.get(user);
        if (polls !== undefined) this.mark(polls);
      }
    } else {
      for (const [user, polls] of this.byUser) if (members.has(user)) this.mark(polls);
    }
    this.flushSoon();
  }

  user(user: number): void {
    const polls = this.byUser.get(user);
    if (polls === undefined) return;
    this.mark(polls);
    this.flushSoon();
  }

  /** The user's polls held with these tokens (logged out, device deleted, account disabled) are answered as revoked. */
  revoke(user: number, tokenHashes: readonly string[]): void {
    const polls = this.byUser.get(user);
    if (polls === undefined) return;
    for (const p of polls instanceof Set ? [...polls] : [polls]) {
      if (!tokenHashes.includes(p.tokenHash)) continue;
      this.drop(p);
      try {
        p.revoked();
      } catch (err) {
        this.onError(err);
      }
    }
  }

  /** Answers every held poll now (shutting down): each gets its empty reply. */
  closeAll(): void {
    for (const bucket of [...this.wheel.values()]) for (const p of [...bucket]) this.expire(p);
  }

  private mark(polls: Set<HeldPoll> | HeldPoll): void {
    if (polls instanceof Set) for (const p of polls) this.marked.add(p);
    else this.marked.add(polls);
  }

  private flushSoon(): void {
    if (this.flushing || this.marked.size === 0) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    // Every marked poll may have gone since (aborted, expired, shut down): then there is nothing to read for.
    if (this.marked.size === 0) return this.settled();
    const start = this.now();
    try {
      this.scope.slice(() => {
        for (const p of this.marked) {
          this.marked.delete(p);
          try {
            if (p.retry()) this.drop(p);
          } catch (err) {
            this.drop(p);
            this.onError(err);
          }
          if (this.now() - start >= FLUSH_SLICE_MS) break;
        }
      });
    } catch (err) {
      // The shared read itself failed: the marked polls stay held, for the next commit or their timeout.
      this.marked.clear();
      this.onError(err);
    }
    if (this.marked.size > 0) setImmediate(() => this.flush());
    else this.settled();
  }

  private settled(): void {
    this.flushing = false;
    try {
      this.scope.done();
    } catch (err) {
      this.onError(err);
    }
  }

  private sweep(): void {
    const due = Math.ceil(this.now() / BUCKET_MS);
    for (const [bucket, polls] of this.wheel) {
      if (bucket > due) continue;
      for (const p of [...polls]) this.expire(p);
    }
  }

  private expire(p: HeldPoll): void {
    this.drop(p);
    try {
      p.expire();
    } catch (err) {
      this.onError(err);
    }
  }
}

function add<K>(map: Map<K, Set<HeldPoll>>, key: K, poll: HeldPoll): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(poll);
}

/** True when `poll` was listed under `key`. */
function remove<K>(map: Map<K, Set<HeldPoll>>, key: K, poll: HeldPoll): boolean {
  const set = map.get(key);
  if (set === undefined || !set.delete(poll)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
