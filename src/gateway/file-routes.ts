import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Authenticator } from '../auth/sessions.js';
import type { BlobSpace, Files } from '../chat/files.js';
import type { FileLinks } from '../auth/file-links.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { answerBlob } from './blob-answer.js';
import { cleanFileName } from './file-meta.js';
import { Exchange, headerToken } from './http.js';
import { ImageProbe } from './image-probe.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';
import { takeUpload } from './upload-intake.js';
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

/** `?cap=…`, the only query a download reads: a session token in a URL is never accepted here. */
function capabilityOf(query: string | undefined): string | undefined {
  if (query === undefined || !query.includes('cap=')) return undefined;
  return new URLSearchParams(query).get('cap') ?? undefined;
}

/**
 * POST /api/v1/rooms/:room/files?name=NAME (the body is the file) and
 * GET /api/v1/files/:fileId[/thumbnail] (Bearer header, or `?cap=` from
 * POST /api/v1/files/links). Uploads are taken by upload-intake.ts
 * (streamed, synced, sniffed, thumbnailed, then recorded), downloads
 * answered by blob-answer.ts (ranges, ETag, a sandboxing CSP).
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
    takeUpload(ex, {
      user: info.userId, room: target.room, name, claimed, lengthHeader, limit: config.maxUploadBytes, quota: config.uploadQuotaBytes,
    }, { files, blobs, images, metrics, log }, (out) => {
      if (!out.ok) return ex.error(out.code, out.message);
      const f = out.file;
      ex.json(201, {
        fileId: f.id, name: f.name, size: f.size, mime: f.mime, ...(f.width === undefined ? {} : { width: f.width, height: f.height }), ...(f.thumb ? { thumb: true } : {}),
      });
    });
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
    const served = answerBlob(ex, blobs, { sha: row.sha256.toString('hex'), thumb, mime: row.mime, name: row.name, rangeHeader, ifNoneMatch });
    if (served === 'missing') {
      log.warn({ file: row.id }, 'file bytes missing');
      return ex.error('not_found', 'the file\'s bytes are missing');
    }
    if (served === 'streamed') metrics.inc('roost_downloads_total', 'Files (or thumbnails) served.');
  };
  app.get('/api/v1/files/:fileId', download(false));
  app.get('/api/v1/files/:fileId/thumbnail', download(true));
}
