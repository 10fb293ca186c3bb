import type { HttpRequest, HttpResponse } from '@based/uws';
import type { Integrations } from '../chat/integrations.js';
import type { Config } from '../config/schema.js';
import { hookText } from './hook-text.js';
import { Exchange } from './http.js';
import type { HttpRoutes } from './http-guard.js';
import type { Metrics } from './metrics.js';
import { FULL_BUCKET, isFull, msUntilToken, take } from './token-bucket.js';

export interface HookRouteDeps {
  config: Pick<Config, 'hookMaxBodyBytes' | 'hookPerMinute' | 'hookBurst' | 'maxBodyChars'>;
  integrations: Integrations;
  metrics: Metrics;
  now?: () => number;
}

const NO_HOOK = 'no such hook';

/** Reads a body of at most `limit` bytes; undefined once it answered 413 itself, or the client went away. */
function readBody(ex: Exchange, limit: number, contentLength: string): Promise<Buffer | undefined> {
  if (contentLength !== '' && Number(contentLength) > limit) {
    ex.error('too_large', `a hook takes at most ${limit} bytes`);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    ex.res.onData((chunk, isLast) => {
      if (ex.done) return;
      size += chunk.byteLength;
      if (size > limit) {
        ex.error('too_large', `a hook takes at most ${limit} bytes`);
        return resolve(undefined);
      }
      // Valid only during this callback: copied.
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) resolve(Buffer.concat(chunks));
    });
    ex.res.onAborted(() => {
      ex.aborted = true;
      resolve(undefined);
    });
  });
}

/** Slack's JSON (`text`, optional `username`), its form-encoded `payload=`, or the body as plain text. */
export function hookMessage(body: Buffer, contentType: string): { text: string; username?: string } | string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  let json: string | undefined;
  if (type === 'application/json') json = body.toString('utf8');
  else if (type === 'application/x-www-form-urlencoded') json = new URLSearchParams(body.toString('utf8')).get('payload') ?? undefined;
  else return { text: body.toString('utf8') };
  if (json === undefined) return 'a form body carries the message as payload={"text": …}';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'body is not valid JSON';
  }
  const { text, username } = (typeof value === 'object' && value !== null ? value : {}) as { text?: unknown; username?: unknown };
  if (typeof text !== 'string') return 'body must be {"text": string, "username"?: string}';
  if (username !== undefined && (typeof username !== 'string' || username.length > 64)) return '"username" must be a string of at most 64 characters';
  return { text, ...(typeof username === 'string' ? { username } : {}) };
}

/**
 * POST /api/v1/hooks/:token: an incoming hook's door. The token is hashed and
 * looked up by its hash (unknown and revoked: the same 404); then the hook's
 * own token bucket (429 with Retry-After), the body limit (413), and the
 * message is stored through the one send path as the hook's bot: 201
 * `{room, seq, msgId}` once it is durable.
 */
export function mountHookRoutes(app: HttpRoutes, deps: HookRouteDeps): void {
  const { config, integrations, metrics } = deps;
  const now = deps.now ?? Date.now;
  const rate = config.hookPerMinute / 60;
  // One number per hook that posted lately (token-bucket.ts); full buckets are forgotten as they are met.
  const buckets = new Map<number, number>();
  const count = (outcome: string): void => metrics.inc('roost_hook_posts_total', 'Posts to incoming hooks, by outcome.', { outcome });

  app.post('/api/v1/hooks/:token', (res: HttpResponse, req: HttpRequest) => {
    const ex = new Exchange(res);
    const token = req.getParameter(0) ?? '';
    const contentType = req.getHeader('content-type');
    const length = req.getHeader('content-length');
    const hook = integrations.hookFor(token);
    if (hook === undefined) {
      count('not_found');
      return ex.error('not_found', NO_HOOK);
    }
    const t = now();
    const fullAt = take(buckets.get(hook.id) ?? FULL_BUCKET, t, rate, config.hookBurst);
    if (fullAt === null) {
      count('rate_limited');
      const wait = msUntilToken(buckets.get(hook.id) ?? FULL_BUCKET, t, rate, config.hookBurst);
      return ex.error('rate_limited', 'this hook posts too often; try again later', [['Retry-After', String(Math.max(1, Math.ceil(wait / 1000)))]]);
    }
    buckets.set(hook.id, fullAt);
    if (buckets.size > 1000) for (const [id, at] of buckets) if (isFull(at, t)) buckets.delete(id);
    return readBody(ex, config.hookMaxBodyBytes, length).then((body) => {
      if (body === undefined) return count(ex.aborted ? 'aborted' : 'too_large');
      const message = hookMessage(body, contentType);
      if (typeof message === 'string') {
        count('bad_request');
        return ex.error('bad_request', message);
      }
      const text = hookText(message.text, message.username);
      if (text.trim() === '') {
        count('bad_request');
        return ex.error('bad_request', 'the message is empty');
      }
      // A lone surrogate cannot be stored as UTF-8 unchanged: refused, as the socket door refuses it.
      if (!text.isWellFormed()) {
        count('bad_request');
        return ex.error('bad_request', 'the message is not well-formed Unicode');
      }
      if (text.length > config.maxBodyChars) {
        count('too_large');
        return ex.error('too_large', `a message is at most ${config.maxBodyChars} characters`);
      }
      integrations.post(hook, text, (o) => {
        count(o.ok ? 'posted' : o.code);
        if (o.ok) ex.json(201, { room: o.room, seq: o.seq, msgId: o.msgId });
        else ex.error(o.code, o.message);
      });
    });
  });
}
