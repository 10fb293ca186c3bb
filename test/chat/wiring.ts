/** What the chat tests share: a writer that commits when told, and the rest of a ChatService's wiring. */
import type { Membership } from '../../src/chat/membership.js';
import { MessageActions } from '../../src/chat/message-actions.js';
import { Mutes } from '../../src/chat/mutes.js';
import type { Fanout, WriteQueue } from '../../src/chat/ports.js';
import type { ResultOf, WriteOp, WriteResult } from '../../src/store/write/write-ops.js';
import { Presence } from '../../src/chat/presence.js';
import type { RateLimits } from '../../src/chat/service.js';

export function actionWiring(writer: WriteQueue, fanout: Fanout, membership: Membership): { actions: MessageActions; mutes: Mutes; rateLimits: RateLimits } {
  const mutes = new Mutes();
  const presence = new Presence({ membership, fanout, enabled: false, maxRoomSize: 0, socketCount: () => 0 });
  const actions = new MessageActions({
    writer, fanout, membership, mutes, presence, editWindowMs: 15 * 60_000,
    subscriptions: { subscribe: () => undefined, unsubscribe: () => undefined },
  });
  return { actions, mutes, rateLimits: { framesPerSecond: 20, frameBurst: 100, userFramesPerSecond: 100, userFrameBurst: 500 } };
}

/** The writer as the chat rules see it: ops queue until a test completes them, in order. */
export class FakeWriter implements WriteQueue {
  readonly ops: WriteOp[] = [];
  private readonly pending: Array<(r: WriteResult) => void> = [];
  accepting = true;
  /** The writes each outermost together() call submitted, in order. */
  readonly groups: WriteOp[][] = [];
  private holding = 0;
  submit<O extends WriteOp>(op: O, done: (result: ResultOf<O>) => void): boolean {
    if (!this.accepting) return false;
    this.ops.push(op);
    this.pending.push(done as (r: WriteResult) => void);
    return true;
  }
  together<T>(fn: () => T): T {
    const from = this.ops.length;
    this.holding++;
    try {
      return fn();
    } finally {
      if (--this.holding === 0) this.groups.push(this.ops.slice(from));
    }
  }
  /** Completes the oldest pending write with `result`, as the writer thread would after COMMIT. */
  complete(result: WriteResult): void {
    this.pending.shift()?.(result);
  }
  get waiting(): number { return this.pending.length; }
}
