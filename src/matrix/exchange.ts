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
 * The headers every Matrix answer carries, as one name and one value: uWS
 * writes a header as `name: value` and a line end without looking inside the
 * value, so these constants go out in one native call instead of eight. A
 * held `/sync` costs one answer per delivered message; the calls were ~1.5 µs
 * of each. Nothing that comes from a request may ever be joined in here.
 */
const FIXED_HEADERS = joinHeaders([...SECURITY_HEADERS, ...CORS_HEADERS, ['Cache-Control', 'no-store']]);

function joinHeaders(headers: ReadonlyArray<[string, string]>): [string, string] {
  const lines = headers.map(([k, v]) => `${k}: ${v}`).join('\r\n');
  const colon = lines.indexOf(': ');
  return [lines.slice(0, colon), lines.slice(colon + 2)];
}

/** What waits on a request's answer (its body, a held poll) and must hear at once when the client goes away. */
export interface AnswerWaiter {
  clientGone(): void;
}

/**
 * One Matrix request's answer, which may come much later (a held `/sync`).
 * uWS forbids touching a response after the client went away: `aborted`
 * says so, and the waiter is told so that a held poll drops itself at once.
 */
export class MatrixExchange {
  aborted = false;
  done = false;
  /**
   * One waiter, not a list, and an object, not a closure: a request has one
   * thing waiting on it at a time, and a held `/sync` is kept by thousands
   * (a closure and its context cost ~100 bytes each).
   */
  private waiter: AnswerWaiter | undefined = undefined;

  constructor(readonly res: HttpResponse) {
    // Bound, not an arrow: half the bytes of a closure and its context, for every held poll.
    res.onAborted(this.clientGone.bind(this));
  }

  /** Tells `waiter` if the client goes away before the answer (at once if it already has); it replaces an earlier one. */
  waitWith(waiter: AnswerWaiter): void {
    if (this.aborted) waiter.clientGone();
    else this.waiter = waiter;
  }

  private clientGone(): void {
    this.aborted = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.clientGone();
  }

  send(status: number, body: string, contentType = 'application/json'): void {
    if (this.aborted || this.done) return;
    this.done = true;
    this.waiter = undefined;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      this.res.writeHeader(FIXED_HEADERS[0], FIXED_HEADERS[1]);
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
