import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { sniffImage } from '../gateway/file-meta.js';
import { ImageProbe } from '../gateway/image-probe.js';
import { createLogger } from '../log.js';
import type { NewAvatar } from '../store/admin/bots.js';
import { BlobStore } from '../store/files/blob-store.js';
import { UsageError } from './io.js';

/**
 * An image file made into an avatar as an upload would be (sniffed, a 320×320
 * WebP thumbnail made, the bytes placed under files/), for a bot the same
 * command creates. The row is written with the bot, in its transaction.
 */
export async function avatarFromFile(dataDir: string, path: string, maxBytes: number): Promise<NewAvatar> {
  if (statSync(path).size > maxBytes) throw new UsageError(`${path} is larger than avatarMaxBytes (${maxBytes} bytes)`);
  const bytes = readFileSync(path);
  const type = sniffImage(bytes.subarray(0, 16));
  if (type === null) throw new UsageError(`${path} is not a PNG, JPEG, GIF or WebP image`);
  const id = randomBytes(16).toString('base64url');
  // Never prepare(): that empties files/tmp, where a running server may be receiving an upload.
  const blobs = new BlobStore(dataDir, () => true);
  mkdirSync(blobs.tmpDir(), { recursive: true, mode: 0o700 });
  const tmp = blobs.newTempPath();
  const thumbTmp = blobs.newTempPath();
  try {
    writeFileSync(tmp, bytes, { mode: 0o600 });
    const image = await new ImageProbe(createLogger({ level: 'warn', pretty: false })).probe(tmp, type, thumbTmp, id);
    if (image?.thumb !== true) throw new UsageError(`${path} could not be read (or is too large in pixels) to make an avatar of`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    blobs.place(tmp, sha256, thumbTmp);
    return { id, sha256, size: bytes.length, mime: type, width: image.width, height: image.height };
  } finally {
    rmSync(tmp, { force: true });
    rmSync(thumbTmp, { force: true });
  }
}
