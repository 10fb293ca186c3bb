import type { HttpResponse } from '@based/uws';
import { SECURITY_HEADERS, statusLine } from '../gateway/http.js';
import { errorBody, type MatrixError } from './errors.js';

/** The spec's CORS headers: web clients (Element Web) call from their own origin with a bearer token, never cookies. */
export const CORS_HEADERS: ReadonlyArray<[string, string]> = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS'],
  ['Access-Control-Allow-Headers', 'X-Requested-With, Content-Type, Authorization'],
];

/**
 * One Matrix request's answer, which may come much later (a held `/sync`).
 * uWS forbids touching a response after the client went away: `aborted`
 * says so, and `onAbort` lets the held poll drop itself at once.
 */
export class MatrixExchange {
  aborted = false;
  done = false;
  private abortHooks: Array<() => void> = [];

  constructor(readonly res: HttpResponse) {
    res.onAborted(() => {
      this.aborted = true;
      const hooks = this.abortHooks;
      this.abortHooks = [];
      for (const h of hooks) h();
    });
  }

  onAbort(hook: () => void): void {
    if (this.aborted) hook();
    else this.abortHooks.push(hook);
  }

  send(status: number, body: string, contentType = 'application/json'): void {
    if (this.aborted || this.done) return;
    this.done = true;
    this.abortHooks = [];
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      for (const [k, v] of SECURITY_HEADERS) this.res.writeHeader(k, v);
      for (const [k, v] of CORS_HEADERS) this.res.writeHeader(k, v);
      this.res.writeHeader('Cache-Control', 'no-store');
      if (status !== 204) this.res.writeHeader('Content-Type', contentType);
      this.res.end(status === 204 ? undefined : body);
    });
  }

  json(value: unknown, status = 200): void {
    this.send(status, JSON.stringify(value));
  }

  fail(e: MatrixError): void {
    this.send(e.status, JSON.stringify(errorBody(e)));
  }
}
