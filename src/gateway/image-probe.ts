import type { Logger } from '../log.js';
import type { SafeImage } from './file-meta.js';

/** Images larger than this many pixels get dimensions from their header but no thumbnail (memory on a Pi). */
const MAX_THUMB_PIXELS = 40_000_000;
const THUMB_EDGE = 320;

export interface ImageInfo { width: number; height: number; thumb: boolean }

export type Sharp = (typeof import('sharp'))['default'];
/** Resolves to sharp ready for use, or rejects with why it cannot load (tests pass their own). */
export type SharpLoader = () => Promise<Sharp>;

/** The installed sharp, set up for a Pi: one image at a time, no decoded-image cache (its RAM is for the chat). */
export async function loadSharp(): Promise<Sharp> {
  const sharp = (await import('sharp')).default;
  sharp.concurrency(1);
  sharp.cache(false);
  return sharp;
}

export const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Dimensions (as displayed, after EXIF rotation) and a WebP thumbnail of at
 * most 320×320 of uploads already sniffed as raster images. sharp is loaded
 * on first use; where its binary does not fit, uploads still work, without
 * dimensions or thumbnails, and the reason is logged once (not once per
 * upload). sharp decodes on libuv's thread pool, never on the event loop.
 */
export class ImageProbe {
  private loaded: Promise<Sharp | null> | undefined;

  constructor(private readonly log: Logger, private readonly load: SharpLoader = loadSharp) {}

  private sharp(): Promise<Sharp | null> {
    this.loaded ??= Promise.resolve().then(this.load).then(
      (sharp) => sharp,
      (err: unknown) => {
        this.log.warn({ reason: reasonOf(err) }, 'image library (sharp) cannot load: uploads work, without thumbnails or image dimensions');
        return null;
      },
    );
    return this.loaded;
  }

  /** A file that fails to decode is served as a plain download: null, logged with its file id. */
  async probe(path: string, _type: SafeImage, thumbOut: string, fileId: string): Promise<ImageInfo | null> {
    const sharp = await this.sharp();
    if (sharp === null) return null;
    try {
      const meta = await sharp(path, { limitInputPixels: false }).metadata();
      if (meta.width === undefined || meta.height === undefined) {
        this.log.warn({ file: fileId }, 'image has no dimensions: no thumbnail');
        return null;
      }
      const rotated = (meta.orientation ?? 1) >= 5;
      const width = rotated ? meta.height : meta.width;
      const height = rotated ? meta.width : meta.height;
      if (width * height > MAX_THUMB_PIXELS) return { width, height, thumb: false };
      await sharp(path, { limitInputPixels: MAX_THUMB_PIXELS, animated: false })
        .rotate()
        .resize(THUMB_EDGE, THUMB_EDGE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 70 })
        .toFile(thumbOut);
      return { width, height, thumb: true };
    } catch (err) {
      this.log.warn({ file: fileId, reason: reasonOf(err) }, 'image could not be decoded: served as a plain download, no thumbnail');
      return null;
    }
  }
}
