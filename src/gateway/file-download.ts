import { createReadStream } from 'node:fs';
import type { HttpResponse } from '@based/uws';
import { SECURITY_HEADERS } from './http.js';

/** What streaming needs of a door's exchange (the native one, or the Matrix door's). */
export interface Answering { readonly res: HttpResponse; aborted: boolean; done: boolean }

const STATUS: Readonly<Record<number, string>> = { 200: '200 OK', 206: '206 Partial Content', 304: '304 Not Modified', 416: '416 Range Not Satisfiable' };
const CHUNK = 64 * 1024;

/** Every header but the site-wide CSP, which a download replaces with its own sandbox. */
const BASE_HEADERS = SECURITY_HEADERS.filter(([k]) => k !== 'Content-Security-Policy');

export function writeHead(res: HttpResponse, status: number, headers: ReadonlyArray<[string, string]>): void {
  res.writeStatus(STATUS[status] ?? `${status} Status`);
  for (const [k, v] of BASE_HEADERS) res.writeHeader(k, v);
  for (const [k, v] of headers) res.writeHeader(k, v);
}

/** A bodiless answer (304, 416) on an exchange that may already be gone. */
export function answerEmpty(ex: Answering, status: number, headers: ReadonlyArray<[string, string]>): void {
  if (ex.aborted || ex.done) return;
  ex.done = true;
  ex.res.cork(() => {
    writeHead(ex.res, status, headers);
    ex.res.end();
  });
}

/**
 * Streams bytes [start, end] of a file with uWS's tryEnd/onWritable:
 * at most one 64 KiB chunk is held for a socket that cannot take more, and the
 * read stream pauses until it can. Memory stays flat for any file size.
 */
export function streamFile(ex: Answering, path: string, start: number, end: number, status: number, headers: ReadonlyArray<[string, string]>): void {
  const res = ex.res;
  const total = end - start + 1;
  if (ex.aborted || ex.done) return;
  ex.done = true;
  res.cork(() => writeHead(res, status, headers));
  if (total <= 0) {
    res.cork(() => res.end());
    return;
  }
  const stream = createReadStream(path, { start, end, highWaterMark: CHUNK });
  res.onAborted(() => {
    ex.aborted = true;
    stream.destroy();
  });
  stream.on('error', () => {
    if (!ex.aborted) res.cork(() => res.close());
    ex.aborted = true;
  });
  stream.on('data', (data: Buffer | string) => {
    if (ex.aborted) return stream.destroy();
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    const offsetBefore = res.getWriteOffset();
    let ok = false;
    let done = false;
    res.cork(() => ([ok, done] = res.tryEnd(chunk, total)));
    if (done) return stream.destroy();
    if (ok) return;
    stream.pause();
    res.onWritable((offset) => {
      let again = false;
      res.cork(() => ([again, done] = res.tryEnd(chunk.subarray(offset - offsetBefore), total)));
      if (done) stream.destroy();
      else if (again) stream.resume();
      return again;
    });
  });
}
