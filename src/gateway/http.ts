import type { HttpRequest, HttpResponse } from '@based/uws';
import { ERROR_CODES, type ErrorCode } from '../protocol/errors.js';

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? 'Status'}`;
}

/** Headers every HTTP answer carries. */
export const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
  // Exactly what the bundled web client uses: its own script, stylesheet and icon, and the
  // API and socket on this server (thumbnails included: they are same-origin URLs).
  // Nothing inline, no eval, no other origin.
  ['Content-Security-Policy', "default-src 'self'; connect-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"],
];

/** The client address, IPv4 in dotted form even on a dual-stack socket. */
export function remoteIp(res: HttpResponse): string {
  const text = Buffer.from(res.getRemoteAddressAsText()).toString();
  return text.startsWith('::ffff:') ? text.slice(7) : text;
}

/** `Authorization: Bearer x` only: for routes whose URLs end up in browser history or shared links. */
export function headerToken(req: HttpRequest): string | undefined {
  const auth = req.getHeader('authorization');
  return auth.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
}

/** `Authorization: Bearer x` or `?token=x` (browsers cannot set headers on a WebSocket). */
export function bearerToken(req: HttpRequest): string | undefined {
  const header = headerToken(req);
  if (header !== undefined) return header;
  const q = req.getQuery();
  if (q !== undefined && q.includes('token=')) return new URLSearchParams(q).get('token') ?? undefined;
  return undefined;
}

/**
 * One HTTP exchange that may be answered later. uWS forbids touching a
 * response after the client went away, and wants late writes corked.
 */
export class Exchange {
  aborted = false;
  done = false;

  constructor(readonly res: HttpResponse) {
    res.onAborted(() => {
      this.aborted = true;
    });
  }

  send(status: number, body: string, contentType: string, headers: ReadonlyArray<[string, string]> = []): void {
    if (this.aborted || this.done) return;
    this.done = true;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      for (const [k, v] of SECURITY_HEADERS) this.res.writeHeader(k, v);
      for (const [k, v] of headers) this.res.writeHeader(k, v);
      if (status !== 204) this.res.writeHeader('Content-Type', contentType);
      this.res.end(status === 204 ? undefined : body);
    });
  }

  json(status: number, value: unknown, headers?: ReadonlyArray<[string, string]>): void {
    this.send(status, JSON.stringify(value), 'application/json; charset=utf-8', headers);
  }

  error(code: ErrorCode, message: string, headers?: ReadonlyArray<[string, string]>): void {
    this.json(ERROR_CODES[code].http, { error: { code, message } }, headers);
  }

  /**
   * Reads a JSON body of at most `limit` bytes. Resolves undefined after having
   * answered the client itself (too large, not JSON, or aborted).
   */
  readJson(limit: number, contentLength: string): Promise<unknown> {
    const declared = contentLength === '' ? 0 : Number(contentLength);
    if (declared > limit) {
      this.error('too_large', `body is larger than ${limit} bytes`);
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.res.onData((chunk, isLast) => {
        if (this.done) return;
        size += chunk.byteLength;
        if (size > limit) {
          this.error('too_large', `body is larger than ${limit} bytes`);
          return resolve(undefined);
        }
        // The ArrayBuffer is only valid during this callback: copy it.
        chunks.push(Buffer.from(chunk.slice(0)));
        if (!isLast) return;
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          this.error('bad_request', 'body is not valid JSON');
          resolve(undefined);
        }
      });
      this.res.onAborted(() => {
        this.aborted = true;
        resolve(undefined);
      });
    });
  }
}
