import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { HttpResponse } from '@based/uws';
import type { BlobSpace, Files } from '../chat/files.js';
import type { Logger } from '../log.js';
import type { ErrorCode } from '../protocol/errors.js';
import { recordedMime, sniffImage } from './file-meta.js';
import type { ImageInfo, ImageProbe } from './image-probe.js';
import type { Metrics } from './metrics.js';
import { UploadSink } from './upload-sink.js';

export interface UploadIntakeDeps {
  files: Files;
  blobs: BlobSpace;
  images: ImageProbe;
  metrics: Metrics;
  log: Logger;
}

/** One upload as its door read it from the request line and headers. */
export interface UploadAsk {
  user: number;
  /** The room it belongs to (`Files.unplaced` for a Matrix upload, which names none). */
  room: number;
  name: string;
  /** The Content-Type the client claimed (only trusted for what the bytes cannot say). */
  claimed: string;
  lengthHeader: string;
  limit: number;
  /** The uploader's quota in bytes (0: none). */
  quota: number;
}

export interface UploadedFile { id: string; name: string; size: number; mime: string; width?: number; height?: number; thumb: boolean }

/** `over`: which limit refused it, for doors that tell the two apart (Matrix: the size is 413, the quota 403). */
export type UploadOutcome = { ok: true; file: UploadedFile } | { ok: false; code: ErrorCode; message: string; over?: 'limit' | 'quota' };

/** The part of a door's exchange the intake reads and marks. */
export interface IntakeExchange { readonly res: HttpResponse; aborted: boolean }

const HEAD_BYTES = 16;

/**
 * Takes one upload's body, for every door that accepts files: it streams to
 * files/tmp while being hashed — the request is paused whenever the disk
 * falls behind, so memory stays flat whatever the size — is synced, sniffed,
 * thumbnailed, moved to its content address and only then recorded by the
 * writer (which checks the quota again). `done` is called once, unless the
 * client went away (then the bytes are discarded and nobody is answered).
 */
export function takeUpload(ex: IntakeExchange, ask: UploadAsk, deps: UploadIntakeDeps, done: (outcome: UploadOutcome) => void): void {
  const { files, blobs, images, metrics, log } = deps;
  const { limit, quota } = ask;
  const declared = ask.lengthHeader === '' ? 0 : Number(ask.lengthHeader);
  if (!Number.isSafeInteger(declared) || declared < 0) return done({ ok: false, code: 'bad_request', message: 'bad Content-Length' });
  const tooLarge = (): UploadOutcome => ({ ok: false, code: 'too_large', message: `files may be at most ${limit} bytes`, over: 'limit' });
  if (declared > limit) return done(tooLarge());
  if (files.overQuota(ask.user, declared, quota)) {
    return done({ ok: false, code: 'too_large', message: `upload quota of ${quota} bytes reached; delete some files first`, over: 'quota' });
  }

  const tmp = blobs.newTempPath();
  const sink = new UploadSink(tmp);
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  let stopped = false;
  const res = ex.res;
  res.onAborted(() => {
    ex.aborted = true;
    if (!stopped) sink.abort();
    stopped = true;
  });
  const discard = (): void => {
    rmSync(tmp, { force: true });
  };

  const finish = async (): Promise<void> => {
    // Every chunk written and fsynced (thread pool) before its row is committed.
    await sink.finish();
    if (ex.aborted) return discard();
    const sha = hash.digest('hex');
    const id = randomBytes(16).toString('base64url');
    const sniffed = sniffImage(head);
    let image: ImageInfo | null = null;
    let thumbTmp: string | null = null;
    if (sniffed !== null) {
      thumbTmp = blobs.newTempPath();
      image = await images.probe(tmp, sniffed, thumbTmp, id);
      if (image?.thumb !== true) {
        rmSync(thumbTmp, { force: true });
        thumbTmp = null;
      }
    }
    if (ex.aborted) {
      discard();
      if (thumbTmp !== null) rmSync(thumbTmp, { force: true });
      return;
    }
    blobs.place(tmp, sha, thumbTmp);
    const mime = recordedMime(sniffed, ask.claimed);
    const dims = image === null ? {} : { width: image.width, height: image.height };
    const file = { id, room: ask.room, user: ask.user, sha256: sha, size, mime, name: ask.name, ...dims, thumb: thumbTmp !== null };
    const r = await files.record(file, quota);
    blobs.placed(sha, r.ok);
    // The writer's only too_large is the quota, checked again against uploads that finished meanwhile.
    if (!r.ok) return done({ ok: false, code: r.code, message: r.message, ...(r.code === 'too_large' ? { over: 'quota' as const } : {}) });
    metrics.inc('roost_uploads_total', 'Files uploaded.');
    metrics.inc('roost_upload_bytes_total', 'Bytes of files uploaded.', undefined, size);
    log.info({ user: ask.user, room: ask.room, file: id, size, mime }, 'file uploaded');
    done({ ok: true, file: { id, name: ask.name, size, mime, ...dims, thumb: file.thumb } });
  };

  res.onData((ab, isLast) => {
    if (stopped) return;
    // A view of uWS's buffer, valid only during this callback: the sink copies or writes it now.
    const chunk = Buffer.from(ab);
    size += chunk.length;
    if (size > limit) {
      stopped = true;
      sink.abort();
      return done(tooLarge());
    }
    hash.update(chunk);
    if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
    sink.write(chunk);
    if (!isLast) return;
    stopped = true;
    void finish().catch((err: unknown) => {
      log.error({ err, user: ask.user }, 'upload failed');
      discard();
      done({ ok: false, code: 'unavailable', message: 'the file could not be stored (disk full?); nothing was stored' });
    });
  });
}
