import type { HttpRequest, HttpResponse } from '@based/uws';
import type { FileLinks } from '../auth/file-links.js';
import type { Authenticator } from '../auth/sessions.js';
import type { Files } from '../chat/files.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { Exchange, headerToken } from './http.js';
import { authenticated } from './member-routes.js';
import type { Metrics } from './metrics.js';
import type { HttpRoutes } from './http-guard.js';

export interface FileLinkRouteDeps {
  auth: Authenticator;
  config: Config;
  files: Files;
  metrics: Metrics;
  log: Logger;
  links: FileLinks;
}

/** Most files one request may ask links for: a screenful of messages, with room to spare. */
export const MAX_LINKS_PER_REQUEST = 100;

interface LinkRequest { fileId: string; thumbnail: boolean }
export interface FileLinkAnswer { url: string; thumbUrl?: string }

/** The asked-for files, or a reason the body is malformed. */
function parseLinkRequest(body: unknown): LinkRequest[] | string {
  const files = typeof body === 'object' && body !== null ? (body as { files?: unknown }).files : undefined;
  if (!Array.isArray(files) || files.length === 0 || files.length > MAX_LINKS_PER_REQUEST) {
    return `"files" must be an array of 1 to ${MAX_LINKS_PER_REQUEST} {"fileId","thumbnail"?}`;
  }
  const out: LinkRequest[] = [];
  for (const f of files as unknown[]) {
    const fileId = typeof f === 'object' && f !== null ? (f as { fileId?: unknown }).fileId : undefined;
    const thumbnail = typeof f === 'object' && f !== null ? (f as { thumbnail?: unknown }).thumbnail : undefined;
    if (typeof fileId !== 'string' || fileId.length === 0 || fileId.length > 64) return '"fileId" must be a string of 1 to 64 characters';
    if (thumbnail !== undefined && typeof thumbnail !== 'boolean') return '"thumbnail" must be true or false';
    out.push({ fileId, thumbnail: thumbnail === true });
  }
  return out;
}

/**
 * POST /api/v1/files/links `{"files":[{"fileId","thumbnail"?}]}` →
 * `{"links":{"<fileId>":{"url","thumbUrl"?}},"expiresIn":seconds}`. The web
 * client puts these in `<img src>` and `<a href>` instead of its session token.
 * Files the user cannot fetch are left out, exactly like unknown ids.
 */
export function mountFileLinkRoutes(app: HttpRoutes, deps: FileLinkRouteDeps): void {
  const { config, files, log, links } = deps;
  app.post('/api/v1/files/links', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const length = req.getHeader('content-length');
    const info = authenticated(ex, req, deps, headerToken);
    if (info === undefined) return;
    void ex.readJson(config.maxHttpBodyBytes, length).then((body) => {
      if (body === undefined) return;
      const asked = parseLinkRequest(body);
      if (typeof asked === 'string') return ex.error('bad_request', asked);
      const answer: Record<string, FileLinkAnswer> = {};
      const visible = files.visibleTo(info.userId);
      for (const { fileId, thumbnail } of asked) {
        const row = visible(fileId);
        if (row === undefined) continue;
        const path = `/api/v1/files/${row.id}`;
        const link: FileLinkAnswer = { url: `${path}?cap=${links.issue(row.id, 'original', info.userId)}` };
        if (thumbnail && row.thumb !== 0) link.thumbUrl = `${path}/thumbnail?cap=${links.issue(row.id, 'thumbnail', info.userId)}`;
        answer[row.id] = link;
      }
      ex.json(200, { links: answer, expiresIn: links.ttlSeconds }, [['Cache-Control', 'no-store']]);
    }).catch((err: unknown) => {
      log.error({ err, user: info.userId }, 'file links failed');
      ex.error('internal', 'the file links could not be made');
    });
  });
}
