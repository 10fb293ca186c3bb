import { statSync } from 'node:fs';
import type { BlobSpace } from '../chat/files.js';
import { answerEmpty, streamFile, type Answering } from './file-download.js';
import { contentDisposition, DOWNLOAD_CSP, parseRange, servedType } from './file-meta.js';

/** One stored content to serve, as a file's row describes it. */
export interface BlobToServe {
  /** sha256 hex of the content. */
  sha: string;
  /** Serve its WebP thumbnail instead. */
  thumb: boolean;
  mime: string;
  name: string;
  rangeHeader: string;
  ifNoneMatch: string;
  /** Headers of the door (the Matrix door's CORS headers). */
  extraHeaders?: ReadonlyArray<[string, string]>;
}

/** `streamed`: bytes are on their way; `empty`: answered 304 or 416; `missing`: not answered, the bytes are gone. */
export type BlobServed = 'streamed' | 'empty' | 'missing';

/**
 * Answers a download of stored bytes for every door that serves files: its
 * type (only safe images inline), name, a sandboxing CSP, a private cache
 * with an ETag, and one byte range when asked. Who may fetch it was decided
 * before (chat/files.ts, chat/avatars.ts).
 */
export function answerBlob(ex: Answering, blobs: BlobSpace, b: BlobToServe): BlobServed {
  const path = blobs.bytesPath(b.sha, b.thumb);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return 'missing';
  }
  const mime = b.thumb ? 'image/webp' : b.mime;
  const etag = `"${b.sha.slice(0, 32)}${b.thumb ? '-t' : ''}"`;
  const headers: Array<[string, string]> = [
    ['Content-Type', servedType(mime)],
    ['Content-Disposition', contentDisposition(b.thumb ? `${b.name}.webp` : b.name, mime)],
    ['Content-Security-Policy', DOWNLOAD_CSP],
    ['Cache-Control', 'private, max-age=86400'],
    ['ETag', etag],
    ['Accept-Ranges', 'bytes'],
    ...(b.extraHeaders ?? []),
  ];
  if (b.ifNoneMatch === etag) {
    answerEmpty(ex, 304, headers);
    return 'empty';
  }
  const range = parseRange(b.rangeHeader, size);
  if (range === 'unsatisfiable') {
    answerEmpty(ex, 416, [...headers, ['Content-Range', `bytes */${size}`]]);
    return 'empty';
  }
  if (range === null) streamFile(ex, path, 0, size - 1, 200, headers);
  else streamFile(ex, path, range.start, range.end, 206, [...headers, ['Content-Range', `bytes ${range.start}-${range.end}/${size}`]]);
  return 'streamed';
}
