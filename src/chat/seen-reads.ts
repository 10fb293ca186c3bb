import type { ReceiptFrame, ReceiptsFrame } from '../protocol/frames.js';

/**
 * The read markers people moved by reading, as seen in published receipt
 * frames. A send moves its sender's marker to their own message in the same
 * commit, so once "@assistant catch me up" is committed the stored marker no
 * longer says what they had read; the last receipt before it does. Bounded:
 * past `max` entries the oldest are forgotten (the caller then falls back to
 * the asker's own last message).
 */
export class SeenReads {
  private readonly seqs = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Cheap for every other frame: a prefix test. */
  observe(frame: string): void {
    if (!frame.startsWith('{"type":"receipt')) return;
    const f = JSON.parse(frame) as ReceiptFrame | ReceiptsFrame;
    if (f.type === 'receipt') this.note(f.room, f.user, f.seq);
    else if (f.type === 'receipts') for (const r of f.reads) this.note(f.room, r.user, r.seq);
  }

  /** The last marker seen for (room, user), or undefined. */
  last(room: number, user: number): number | undefined {
    return this.seqs.get(`${room}:${user}`);
  }

  private note(room: string, user: string, seq: number): void {
    const key = `${room}:${user}`;
    this.seqs.delete(key);
    this.seqs.set(key, seq);
    if (this.seqs.size > this.max) {
      const oldest = this.seqs.keys().next().value;
      if (oldest !== undefined) this.seqs.delete(oldest);
    }
  }
}
