import type { SafeImage } from './file-meta.js';

/** Images larger than this many pixels get dimensions from their header but no thumbnail (memory on a Pi). */
const MAX_THUMB_PIXELS = 40_000_000;
const THUMB_EDGE = 320;

export interface ImageInfo { width: number; height: number; thumb: boolean }

type Sharp = (typeof import('sharp'))['default'];
let loaded: Promise<Sharp | null> | undefined;

/** sharp is loaded on first use; where its binary does not fit, uploads still work, without dimensions or thumbnails. */
function sharpModule(): Promise<Sharp | null> {
  loaded ??= import('sharp').then(
    (m) => {
      const sharp = m.default;
      // One image at a time, no decoded-image cache: a Pi's RAM is for the chat.
      sharp.concurrency(1);
      sharp.cache(false);
      return sharp;
    },
    () => null,
  );
  return loaded;
}

/**
 * Dimensions (as displayed, after EXIF rotation) and a WebP thumbnail of at
 * most 320×320 of an upload already sniffed as a raster image. sharp decodes
 * on libuv's thread pool, never on the event loop. A file that fails to decode
 * is served as a plain download: null.
 */
export async function probeImage(path: string, _type: SafeImage, thumbOut: string): Promise<ImageInfo | null> {
  const sharp = await sharpModule();
  if (sharp === null) return null;
  try {
    const meta = await sharp(path, { limitInputPixels: false }).metadata();
    if (meta.width === undefined || meta.height === undefined) return null;
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
  } catch {
    return null;
  }
}
