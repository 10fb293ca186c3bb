/**
 * What an uploaded file is and how it may be served. Nothing a client says
 * about a file is trusted for serving: the type of an image is read from its
 * first bytes, and only those image types are ever shown inline.
 */

/** Raster images a browser shows inline without running anything (SVG is not one of them). */
export type SafeImage = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** The image type from a file's first bytes (magic numbers), or null. */
export function sniffImage(head: Buffer): SafeImage | null {
  if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47 && head.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (head.length >= 12 && head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

const SAFE_IMAGES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
export const isSafeImage = (mime: string): boolean => SAFE_IMAGES.has(mime);

/**
 * The type recorded for a file: the sniffed image type, else the client's
 * `Content-Type` if it is a plain `type/subtype` that does not claim to be one
 * of the safe images (a "PNG" that is not one is not one), else octet-stream.
 */
export function recordedMime(sniffed: SafeImage | null, claimed: string): string {
  if (sniffed !== null) return sniffed;
  const base = (claimed.split(';')[0] ?? '').trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/.test(base) || SAFE_IMAGES.has(base)) return 'application/octet-stream';
  return base;
}

/** Types a browser would render or run when opened directly: always served as bytes. */
const ACTIVE = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript|application\/ecmascript|text\/css|multipart\/)/;

/** The Content-Type a download is served with. */
export function servedType(mime: string): string {
  if (SAFE_IMAGES.has(mime)) return mime;
  if (ACTIVE.test(mime)) return 'application/octet-stream';
  return mime.startsWith('text/') ? `${mime}; charset=utf-8` : mime;
}

const MAX_NAME = 255;

/**
 * A display name from `?name=`: the last path segment only, no control or
 * bidi-override characters, at most 255 characters, never "." or "..". It is
 * only ever shown and sent back in Content-Disposition, never used as a path.
 */
export function cleanFileName(raw: string | null): string {
  let name = (raw ?? '').replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.trim();
  if (name === '' || name === '.' || name === '..') return 'file';
  if (!name.isWellFormed()) name = name.toWellFormed();
  return name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
}

/** `inline` only for safe images; everything else is a download. RFC 6266 with an ASCII fallback. */
export function contentDisposition(name: string, mime: string): string {
  const kind = SAFE_IMAGES.has(mime) ? 'inline' : 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A download may be opened directly: whatever it is, it runs no script and loads nothing. */
export const DOWNLOAD_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/** One `bytes=` range (the forms browsers and players send); null: serve it all. */
export function parseRange(header: string, size: number): ByteRange {
  if (header === '') return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return null;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
