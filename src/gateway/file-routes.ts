import { createHash, randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Authenticator } from '../auth/sessions.js';
import type { BlobSpace, Files } from '../chat/files.js';
import type { FileLinks } from '../auth/file-links.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { answerEmpty, streamFile } from './file-download.js';
import { cleanFileName, contentDisposition, DOWNLOAD_CSP, parseRange, recordedMime, servedType, sniffImage } from './file-meta.js';
import { Exchange, headerToken } from './http.js';
import { ImageProbe, type ImageInfo } from './image-probe.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';
import { UploadSink } from './upload-sink.js';
import type { HttpRoutes } from './http-guard.js';

export interface FileRouteDeps {
  auth: Authenticator;
  config: Config;
  files: Files;
  metrics: Metrics;
  log: Logger;
  blobs: BlobSpace;
  links: FileLinks;
  /** Dimensions and thumbnails; by default with the installed sharp. */
  images?: ImageProbe;
}

const HEAD_BYTES = 16;

/** `?cap=…`, the only query a download reads: a session token in a URL is never accepted here. */
function capabilityOf(query: string | undefined): string | undefined {
  if (query === undefined || !query.includes('cap=')) return undefined;
  return new URLSearchParams(query).get('cap') ?? undefined;
}

/**
 * POST /api/v1/rooms/:room/files?name=NAME (the body is the file) and
 * GET /api/v1/files/:fileId[/thumbnail] (Bearer header, or `?cap=` from
 * POST /api/v1/files/links). Uploads stream to files/tmp while
 * being hashed — the request is paused whenever the disk falls behind, so
 * memory stays flat whatever the size — are synced, sniffed, thumbnailed,
 * moved to their content address and only then recorded by the writer.
 */
export function mountFileRoutes(app: HttpRoutes, deps: FileRouteDeps): void {
  const { config, files, metrics, log, blobs, links } = deps;
  const images = deps.images ?? new ImageProbe(log);
  blobs.prepare();

  app.post('/api/v1/rooms/:room/files', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const room = req.getParameter(0) ?? '';
    const name = cleanFileName(new URLSearchParams(req.getQuery() ?? '').get('name'));
    const claimed = req.getHeader('content-type');
    const lengthHeader = req.getHeader('content-length');
    const info = authenticated(ex, req, deps, headerToken);
    if (info === undefined) return;
    const target = files.uploadRoom(info.userId, room);
    if (!target.ok) return ex.error(target.code, target.message);
    const roomId = target.room;
    const limit = config.maxUploadBytes;
    const declared = lengthHeader === '' ? 0 : Number(lengthHeader);
    if (!Number.isSafeInteger(declared) || declared < 0) return ex.error('bad_request', 'bad Content-Length');
    if (declared > limit) return ex.error('too_large', `files may be at most ${limit} bytes`);
    const quota = config.uploadQuotaBytes;
    if (files.overQuota(info.userId, declared, quota)) return ex.error('too_large', `upload quota of ${quota} bytes reached; delete some files first`);

    const tmp = blobs.newTempPath();
    const sink = new UploadSink(tmp);
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    let stopped = false;
    res.onAborted(() => {
      ex.aborted = true;
      if (!stopped) sink.abort();
      stopped = true;
    });
    res.onData((ab, isLast) => {
      if (stopped) return;
      // A view of uWS's buffer, valid only during this callback: the sink copies or writes it now.
      const chunk = Buffer.from(ab);
      size += chunk.length;
      if (size > limit) {
        stopped = true;
        sink.abort();
        return ex.error('too_large', `files may be at most ${limit} bytes`);
      }
      hash.update(chunk);
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
      sink.write(chunk);
      if (!isLast) return;
      stopped = true;
      void finish().catch((err: unknown) => {
        log.error({ err, user: info.userId }, 'upload failed');
        rmSync(tmp, { force: true });
        ex.error('unavailable', 'the file could not be stored (disk full?); nothing was stored');
      });
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
      const mime = recordedMime(sniffed, claimed);
      const file = {
        id, room: roomId, user: info.userId, sha256: sha, size, mime, name,
        ...(image === null ? {} : { width: image.width, height: image.height }), thumb: thumbTmp !== null,
      };
      const r = await files.record(file, quota);
      blobs.placed(sha, r.ok);
      if (!r.ok) return ex.error(r.code, r.message);
      metrics.inc('roost_uploads_total', 'Files uploaded.');
      metrics.inc('roost_upload_bytes_total', 'Bytes of files uploaded.', undefined, size);
      log.info({ user: info.userId, room: roomId, file: id, size, mime }, 'file uploaded');
      ex.json(201, {
        fileId: id, name, size, mime, ...(image === null ? {} : { width: image.width, height: image.height }), ...(file.thumb ? { thumb: true } : {}),
      });
    };
  });

  const download = (thumb: boolean) => (res: HttpResponse, req: HttpRequest): void => {
    const ex = new Exchange(res);
    const id = req.getParameter(0) ?? '';
    const rangeHeader = req.getHeader('range');
    const ifNoneMatch = req.getHeader('if-none-match');
    const cap = capabilityOf(req.getQuery());
    let userId: number;
    if (cap !== undefined) {
      const holder = links.verify(cap, id, thumb ? 'thumbnail' : 'original');
      // The link names its user; a disabled one loses their links with their tokens.
      if (holder === undefined || !files.isEnabled(holder)) return ex.error('forbidden', 'this file link is invalid or has expired; ask for a new one');
      userId = holder;
    } else {
      const info = authenticated(ex, req, deps, headerToken);
      if (info === undefined) return;
      userId = info.userId;
    }
    const row = files.visibleTo(userId)(id);
    if (row === undefined) return ex.error('forbidden', 'no such file in a room of yours');
    if (thumb && row.thumb === 0) return ex.error('not_found', 'this file has no thumbnail');
    const sha = row.sha256.toString('hex');
    const path = blobs.bytesPath(sha, thumb);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      log.warn({ file: row.id }, 'file bytes missing');
      return ex.error('not_found', 'the file\'s bytes are missing');
    }
    const mime = thumb ? 'image/webp' : row.mime;
    const etag = `"${sha.slice(0, 32)}${thumb ? '-t' : ''}"`;
    const headers: Array<[string, string]> = [
      ['Content-Type', servedType(mime)],
      ['Content-Disposition', contentDisposition(thumb ? `${row.name}.webp` : row.name, mime)],
      ['Content-Security-Policy', DOWNLOAD_CSP],
      ['Cache-Control', 'private, max-age=86400'],
      ['ETag', etag],
      ['Accept-Ranges', 'bytes'],
    ];
    if (ifNoneMatch === etag) return answerEmpty(ex, 304, headers);
    const range = parseRange(rangeHeader, size);
    if (range === 'unsatisfiable') return answerEmpty(ex, 416, [...headers, ['Content-Range', `bytes */${size}`]]);
    metrics.inc('roost_downloads_total', 'Files (or thumbnails) served.');
    if (range === null) return streamFile(ex, path, 0, size - 1, 200, headers);
    streamFile(ex, path, range.start, range.end, 206, [...headers, ['Content-Range', `bytes ${range.start}-${range.end}/${size}`]]);
  };
  app.get('/api/v1/files/:fileId', download(false));
  app.get('/api/v1/files/:fileId/thumbnail', download(true));
}
