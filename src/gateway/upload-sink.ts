import { closeSync, fsync, openSync, rmSync, write, writeSync } from 'node:fs';

const SLOT_BYTES = 512 * 1024;
/** Writes in flight per upload. */
const SLOTS = 8;
/** Slots for every upload together: 16 MiB, however many uploads are open (an idle one holds none). */
const POOL_SLOTS = 32;

/** Slots not in flight, shared by all uploads; slotsMade counts every slot ever allocated. */
const pool: Buffer[] = [];
let slotsMade = 0;

/**
 * Writes an upload's chunks to a file as they arrive, with memory bounded by
 * 8 × 512 KiB per upload whatever the file's size, and 32 × 512 KiB for all
 * uploads together: a slot is held only while its write is in flight, so a
 * client that opens many uploads and sends a byte to each holds no memory.
 *
 * Why not a WriteStream paused with `res.pause()`: in the uWS build Roost
 * uses, pausing an HTTP response does not stop `onData` (measured: 122 of
 * 140 chunks of a 64 MB body arrived while paused), so a client faster than
 * the disk would fill memory. Instead each chunk is copied into one of eight
 * reusable slots and written at its own offset on the thread pool; when all
 * slots are in flight — the disk is behind the network — the chunk is
 * written synchronously from uWS's own buffer, which holds the event loop for
 * that one write and so stops uWS reading: TCP flow control then slows the
 * client. With a disk that keeps up (the usual case), the event loop never
 * waits on it.
 */
export class UploadSink {
  private readonly fd: number;
  private pending = 0;
  private offset = 0;
  private failed: Error | null = null;
  private drained: (() => void) | null = null;
  private closed = false;
  /** Chunks written synchronously because every slot was busy. */
  syncWrites = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600);
  }

  /** `chunk` may be a view of memory that is only valid during this call. */
  write(chunk: Buffer): void {
    if (this.failed !== null) return;
    const position = this.offset;
    this.offset += chunk.length;
    const slot = chunk.length <= SLOT_BYTES ? this.takeSlot() : undefined;
    if (slot === undefined) {
      this.syncWrites++;
      try {
        writeSync(this.fd, chunk, 0, chunk.length, position);
      } catch (err) {
        this.failed = err as Error;
      }
      return;
    }
    chunk.copy(slot);
    this.pending++;
    write(this.fd, slot, 0, chunk.length, position, (err) => {
      this.pending--;
      pool.push(slot);
      if (err !== null) this.failed ??= err;
      if (this.pending === 0) this.drained?.();
    });
  }

  /** Waits for every write, syncs the file to disk (thread pool) and closes it. */
  async finish(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    if (this.failed === null) {
      await new Promise<void>((resolve) => fsync(this.fd, (err) => {
        if (err !== null) this.failed = err;
        resolve();
      }));
    }
    this.close();
    if (this.failed !== null) throw this.failed;
  }

  /** Stops and removes the file (once writes in flight are done with the descriptor). */
  abort(): void {
    this.failed ??= new Error('upload aborted');
    const close = (): void => {
      this.close();
      rmSync(this.path, { force: true });
    };
    if (this.pending === 0) close();
    else this.drained = close;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private takeSlot(): Buffer | undefined {
    if (this.pending >= SLOTS) return undefined;
    const slot = pool.pop();
    if (slot !== undefined) return slot;
    if (slotsMade === POOL_SLOTS) return undefined;
    slotsMade++;
    return Buffer.allocUnsafeSlow(SLOT_BYTES);
  }
}
