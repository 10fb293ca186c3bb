import type { Avatars } from '../chat/avatars.js';
import { Files, type BlobSpace } from '../chat/files.js';
import { answerBlob, type BlobToServe } from '../gateway/blob-answer.js';
import { cleanFileName } from '../gateway/file-meta.js';
import type { ImageProbe } from '../gateway/image-probe.js';
import type { Metrics } from '../gateway/metrics.js';
import { takeUpload } from '../gateway/upload-intake.js';
import type { Logger } from '../log.js';
import { forbidden, fromRoost, matrixError, notFound } from './errors.js';
import { CORS_HEADERS } from './exchange.js';
import type { MatrixIds } from './ids.js';
import { media, type AuthedRequest, type MatrixRouter } from './router.js';

/** The native file services the media endpoints use: the same rules, limits, quota and blob store as native uploads. */
export interface MatrixMediaDeps {
  files: Files;
  avatars: Avatars;
  blobs: BlobSpace;
  images: ImageProbe;
  metrics: Metrics;
  log: Logger;
  maxUploadBytes: number;
  /** Bytes one user may store in all (0: no quota). */
  uploadQuotaBytes: number;
}

/** Authenticated media (spec v1.11) under /_matrix/client/v1/media, and the same under the older media paths. */
const clientMedia = (path: string): string[] => [`/_matrix/client/v1/media/${path}`, ...media(path)];

/** What an old client's unauthenticated download (an `<img src>` without a token) is told. */
const NEEDS_TOKEN = 'Media on this server needs an access token: use a client with authenticated media (Matrix v1.11)';

/** What one media id resolves to for a user, or undefined (unknown and not-yours alike). */
interface Found { sha: string; mime: string; name: string; hasThumb: boolean; avatar: boolean }

/**
 * The content repository: upload, download, thumbnail and config. Media ids
 * are Roost file ids. An upload names no room, so it is kept in none until the
 * first message that carries it (message-endpoints.ts) places it in that room;
 * who may download is chat/files.ts's rule (the uploader, and the members of
 * the room it was posted in), and for avatars chat/avatars.ts's. Every
 * refusal to download is 404 M_NOT_FOUND, as for an unknown id.
 */
export function mountMediaEndpoints(router: MatrixRouter, ids: MatrixIds, m: MatrixMediaDeps): void {
  const opts = { missingToken: NEEDS_TOKEN };

  router.authed('GET', clientMedia('config'), (r) => r.ex.json({ 'm.upload.size': m.maxUploadBytes }), opts);

  router.authed('POST', media('upload'), (r) => {
    const user = r.session.userId;
    const ask = {
      user, room: Files.unplaced, name: cleanFileName(r.query.get('filename')), claimed: r.headers.contentType, lengthHeader: r.headers.contentLength,
      limit: m.maxUploadBytes, quota: m.uploadQuotaBytes,
    };
    takeUpload(r.ex, ask, m, (out) => {
      if (out.ok) return r.ex.json({ content_uri: ids.mxc(out.file.id) });
      // The spec lists a reached quota under 403 ("does not have permission to upload"); a file too large is 413.
      if (out.over === 'quota') return r.ex.fail(forbidden(out.message));
      if (out.over === 'limit') return r.ex.fail(matrixError(413, 'M_TOO_LARGE', out.message));
      r.ex.fail(fromRoost(out));
    });
  }, { body: 'none' });

  const find = (r: AuthedRequest): Found | undefined => {
    const [server = '', id = ''] = r.params;
    if (server !== ids.serverName) return undefined;
    const user = r.session.userId;
    const row = m.files.visibleTo(user)(id);
    if (row !== undefined) return { sha: row.sha256.toString('hex'), mime: row.mime, name: row.name, hasThumb: row.thumb !== 0, avatar: false };
    const avatar = m.avatars.visible(id, user);
    // Only an avatar's thumbnail is ever served: it is the decoded, re-encoded image.
    if (avatar !== undefined) return { sha: avatar.sha256.toString('hex'), mime: 'image/webp', name: 'avatar', hasThumb: true, avatar: true };
    return undefined;
  };

  const serve = (r: AuthedRequest, b: Omit<BlobToServe, 'rangeHeader' | 'ifNoneMatch' | 'extraHeaders'>): void => {
    const served = answerBlob(r.ex, m.blobs, { ...b, rangeHeader: r.headers.range, ifNoneMatch: r.headers.ifNoneMatch, extraHeaders: CORS_HEADERS });
    if (served === 'missing') {
      m.log.warn({ file: r.params[1] }, 'file bytes missing');
      return r.ex.fail(notFound('The media\'s bytes are missing'));
    }
    if (served === 'streamed') m.metrics.inc('roost_downloads_total', 'Files (or thumbnails) served.');
  };

  const download = (r: AuthedRequest): void => {
    const f = find(r);
    if (f === undefined) return r.ex.fail(notFound('Media not found'));
    const asked = r.params[2];
    const name = asked === undefined ? f.name : cleanFileName(asked);
    serve(r, { sha: f.sha, thumb: f.avatar, mime: f.mime, name });
  };
  router.authed('GET', clientMedia('download/:server/:media'), download, opts);
  router.authed('GET', clientMedia('download/:server/:media/:name'), download, opts);

  router.authed('GET', clientMedia('thumbnail/:server/:media'), (r) => {
    const f = find(r);
    if (f === undefined) return r.ex.fail(notFound('Media not found'));
    const method = r.query.get('method');
    if (method !== null && method !== 'crop' && method !== 'scale') return r.ex.fail(matrixError(400, 'M_INVALID_PARAM', 'method is crop or scale'));
    // One thumbnail per image (at most 320×320, WebP) whatever the size asked: the spec lets a server answer its nearest.
    if (f.hasThumb) return serve(r, { sha: f.sha, thumb: true, mime: f.mime, name: f.name });
    if (f.mime.startsWith('image/')) return serve(r, { sha: f.sha, thumb: false, mime: f.mime, name: f.name });
    r.ex.fail(matrixError(400, 'M_UNKNOWN', 'This media cannot be thumbnailed (it is not an image)'));
  }, opts);
}
