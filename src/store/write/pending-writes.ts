import type { WriteOp, WriteResult } from './write-ops.js';

export type WriteCallback = (result: WriteResult) => void;

/** Past this many taken slots (and half the array) the arrays are compacted: amortised O(1) per write. */
const COMPACT_AT = 1024;

/**
 * Writes waiting for the writer thread, in submission order, with the
 * estimated bytes they hold. Taking a batch costs O(batch), not O(backlog):
 * the front advances by an index, and taken slots are cleared at once so a
 * long backlog does not keep committed bodies alive.
 */
export class PendingWrites {
  private ops: Array<WriteOp | undefined> = [];
  private cbs: Array<WriteCallback | undefined> = [];
  private sizes: number[] = [];
  private head = 0;
  /** Sum of the estimates of the writes waiting. */
  bytes = 0;

  get length(): number {
    return this.ops.length - this.head;
  }

  push(op: WriteOp, cb: WriteCallback, size: number): void {
    this.ops.push(op);
    this.cbs.push(cb);
    this.sizes.push(size);
    this.bytes += size;
  }

  /** Removes and returns up to `max` of the oldest writes. */
  take(max: number): { ops: WriteOp[]; cbs: WriteCallback[] } {
    const n = Math.min(this.length, max);
    if (this.head === 0 && n === this.ops.length) {
      // The usual case under light load: everything waiting goes, the arrays themselves are handed over.
      const all = { ops: this.ops as WriteOp[], cbs: this.cbs as WriteCallback[] };
      this.reset();
      return all;
    }
    const ops = new Array<WriteOp>(n);
    const cbs = new Array<WriteCallback>(n);
    for (let i = 0; i < n; i++) {
      const j = this.head + i;
      ops[i] = this.ops[j] as WriteOp;
      cbs[i] = this.cbs[j] as WriteCallback;
      this.bytes -= this.sizes[j] as number;
      this.ops[j] = undefined;
      this.cbs[j] = undefined;
    }
    this.head += n;
    if (this.head === this.ops.length) this.reset();
    else if (this.head >= COMPACT_AT && this.head * 2 >= this.ops.length) this.compact();
    return { ops, cbs };
  }

  /** Removes and returns everything waiting (the writer failed). */
  drain(): { ops: WriteOp[]; cbs: WriteCallback[] } {
    return this.take(this.length);
  }

  private reset(): void {
    this.ops = [];
    this.cbs = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
  }

  private compact(): void {
    this.ops = this.ops.slice(this.head);
    this.cbs = this.cbs.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.head = 0;
  }
}
