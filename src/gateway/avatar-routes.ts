import { createHash, randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { HttpRequest, HttpResponse } from '@based/uws';
import type { FileLinks } from '../auth/file-links.js';
import type { Authenticator } from '../auth/sessions.js';
import { Avatars } from '../chat/avatars.js';
import type { BlobSpace } from '../chat/files.js';
import type { WriteRunner } from '../chat/ports.js';
import type { ProfileSource } from '../chat/profiles.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { answerEmpty, streamFile } from './file-download.js';
import { DOWNLOAD_CSP, sniffImage } from './file-meta.js';
import { Exchange, headerToken } from './http.js';
import type { ImageProbe } from './image-probe.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface AvatarRouteDeps {
  auth: Authenticator;
  config: Config;
  avatars: Avatars;
  /** Whether a link's holder is still an enabled user. */
  profiles: ProfileSource;
  writer: WriteRunner;
  metrics: Metrics;
  log: Logger;
  blobs: BlobSpace;
  links: FileLinks;
  images: ImageProbe;
}

/** Most avatars one links request may name: a long member list. */
const MAX_LINKS = 200;

/** `?cap=…`: a file link for the avatar's thumbnail; a session token in a URL is never read here. */
function capabilityOf(query: string | undefined): string | undefined {
  if (query === undefined || !query.includes('cap=')) return undefined;
  return new URLSearchParams(query).get('cap') ?? undefined;
}

/** Reads a body of at most `limit` bytes; undefined once answered 413 or aborted. */
function readBody(ex: Exchange, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    ex.res.onAborted(() => {
      ex.aborted = true;
      resolve(undefined);
    });
    ex.res.onData((chunk, isLast) => {
      if (ex.done) return;
      size += chunk.byteLength;
      if (size > limit) {
        ex.error('too_large', `an avatar may be at most ${limit} bytes`);
        return resolve(undefined);
      }
      // Only valid during this callback: copied.
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) resolve(Buffer.concat(chunks));
    });
  });
}

/** Written and flushed on the thread pool before its row is committed. */
async function writeSynced(path: string, bytes: Buffer): Promise<void> {
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * POST /api/v1/avatars (the body is the image) and GET /api/v1/avatars/:fileId.
 * An avatar is an upload in no room (store/files/avatar-files.ts): PNG,
 * JPEG, GIF or WebP by its bytes, at most `avatarMaxBytes`, and it must
 * decode, since only its thumbnail (WebP, at most 320×320) is ever served.
 * Set it with `set_profile` (or a room's `update_room`). Who may fetch one:
 * any signed-in user a user's avatar; a room's, its members (anyone for a
 * public room); one not in use yet, its uploader.
 */
export function mountAvatarRoutes(app: HttpRoutes, deps: AvatarRouteDeps): void {
  const { config, avatars, profiles, writer, metrics, log, blobs, links, images } = deps;

  app.post('/api/v1/avatars', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const claimed = req.getHeader('content-type').toLowerCase();
    const lengthHeader = req.getHeader('content-length');
    const session = authenticated(ex, req, deps, headerToken);
    if (session === undefined) return;
    const limit = config.avatarMaxBytes;
    const declared = lengthHeader === '' ? 0 : Number(lengthHeader);
    if (!Number.isSafeInteger(declared) || declared < 0) return ex.error('bad_request', 'bad Content-Length');
    if (declared > limit) return ex.error('too_large', `an avatar may be at most ${limit} bytes`);
    if (!claimed.startsWith('image/')) return ex.error('bad_request', 'an avatar must be sent as an image (Content-Type image/png, image/jpeg, image/gif or image/webp)');
    return (async () => {
      const bytes = await readBody(ex, limit);
      if (bytes === undefined) return;
      const type = sniffImage(bytes.subarray(0, 16));
      if (type === null) return ex.error('bad_request', 'an avatar must be a PNG, JPEG, GIF or WebP image');
      const id = randomBytes(16).toString('base64url');
      const tmp = blobs.newTempPath();
      const thumbTmp = blobs.newTempPath();
      const discard = (): void => {
        rmSync(tmp, { force: true });
        rmSync(thumbTmp, { force: true });
      };
      try {
        await writeSynced(tmp, bytes);
        const image = await images.probe(tmp, type, thumbTmp, id);
        if (image?.thumb !== true) {
          discard();
          return ex.error('bad_request', 'the image could not be read (or is too large in pixels) to make an avatar of');
        }
        if (ex.aborted) return discard();
        const sha = createHash('sha256').update(bytes).digest('hex');
        blobs.place(tmp, sha, thumbTmp);
        const file = Avatars.upload({ id, user: session.userId, sha256: sha, size: bytes.length, mime: type, width: image.width, height: image.height });
        const r = await writer.run({ k: 'file', file, quota: config.uploadQuotaBytes });
        blobs.placed(sha, r.ok);
        if (!r.ok) return ex.error(r.code, r.message);
        metrics.inc('roost_avatar_uploads_total', 'Avatars uploaded.');
        log.info({ user: session.userId, file: id, size: bytes.length }, 'avatar uploaded');
        ex.json(201, { fileId: id, width: image.width, height: image.height });
      } catch (err) {
        discard();
        throw err;
      }
    })();
  });

  app.get('/api/v1/avatars/:fileId', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const id = req.getParameter(0) ?? '';
    const ifNoneMatch = req.getHeader('if-none-match');
    const cap = capabilityOf(req.getQuery());
    let userId: number;
    if (cap !== undefined) {
      const holder = links.verify(cap, id, 'thumbnail');
      if (holder === undefined || profiles.profile(holder) === undefined) return ex.error('forbidden', 'this avatar link is invalid or has expired; ask for a new one');
      userId = holder;
    } else {
      const session = authenticated(ex, req, deps, headerToken);
      if (session === undefined) return;
      userId = session.userId;
    }
    const row = avatars.visible(id, userId);
    if (row === undefined) return ex.error('forbidden', 'no such avatar you may see');
    const sha = row.sha256.toString('hex');
    const path = blobs.bytesPath(sha, true);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      log.warn({ file: row.id }, 'avatar bytes missing');
      return ex.error('not_found', 'the avatar\'s bytes are missing');
    }
    const etag = `"${sha.slice(0, 32)}-t"`;
    const headers: Array<[string, string]> = [
      ['Content-Type', 'image/webp'],
      ['Content-Disposition', 'inline; filename="avatar.webp"'],
      ['Content-Security-Policy', DOWNLOAD_CSP],
      ['Cache-Control', 'private, max-age=86400'],
      ['ETag', etag],
    ];
    if (ifNoneMatch === etag) return answerEmpty(ex, 304, headers);
    streamFile(ex, path, 0, size - 1, 200, headers);
  });

  // `<img src>` cannot send a header: the web client asks for short-lived links, as for files.
  app.post('/api/v1/avatars/links', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const length = req.getHeader('content-length');
    const session = authenticated(ex, req, deps, headerToken);
    if (session === undefined) return;
    return ex.readJson(config.maxHttpBodyBytes, length).then((body) => {
      if (body === undefined) return;
      const files = typeof body === 'object' && body !== null ? (body as { files?: unknown }).files : undefined;
      if (!Array.isArray(files) || files.length === 0 || files.length > MAX_LINKS || !files.every((f) => typeof f === 'string')) {
        return ex.error('bad_request', `body must be {"files": [fileId, …]} with 1 to ${MAX_LINKS} ids`);
      }
      const answer: Record<string, string> = {};
      for (const id of files as string[]) {
        if (avatars.visible(id, session.userId) !== undefined) answer[id] = `/api/v1/avatars/${id}?cap=${links.issue(id, 'thumbnail', session.userId)}`;
      }
      ex.json(200, { links: answer, expiresIn: links.ttlSeconds }, [['Cache-Control', 'no-store']]);
    });
  });
}
