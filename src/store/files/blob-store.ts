import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bytes of uploads, content-addressed under the data folder:
 * `files/ab/<sha256 hex>` and, for images, `files/ab/<sha256 hex>.thumb.webp`.
 * A file name given by a client never becomes a path: only hex digests do.
 * Uploads are written to `files/tmp/` first (same filesystem, so placing one
 * is an atomic rename).
 */
export const filesDir = (dataDir: string): string => join(dataDir, 'files');
const SHA_HEX = /^[0-9a-f]{64}$/;

export function blobPath(dataDir: string, sha: string): string {
  if (!SHA_HEX.test(sha)) throw new Error('not a sha256 digest');
  return join(filesDir(dataDir), sha.slice(0, 2), sha);
}

export const thumbPath = (dataDir: string, sha: string): string => `${blobPath(dataDir, sha)}.thumb.webp`;

export interface FilesUsage { files: number; bytes: number }

/**
 * Disk used by uploaded files (blobs and thumbnails), for `roost doctor` and
 * stats: walks the two-level folder (256 folders at most), no database needed.
 */
export function filesDiskUsage(dataDir: string): FilesUsage {
  const root = filesDir(dataDir);
  const usage: FilesUsage = { files: 0, bytes: 0 };
  if (!existsSync(root)) return usage;
  for (const dir of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const name of readdirSync(join(root, dir))) {
      try {
        usage.bytes += statSync(join(root, dir, name)).size;
        if (!name.endsWith('.thumb.webp')) usage.files++;
      } catch {
        // Removed meanwhile.
      }
    }
  }
  return usage;
}

/**
 * Places and removes blobs on the event loop's side, in the order the writer
 * commits: a blob is removed only when a commit said no file row names it,
 * and not while an upload of the same content is between placing its bytes
 * and committing its row (`placing`). Both steps are synchronous renames and
 * unlinks (metadata only, no flush), so nothing can run between the check and
 * the removal.
 */
export class BlobStore {
  private readonly placing = new Map<string, number>();

  constructor(readonly dataDir: string, private readonly isReferenced: (sha: string) => boolean) {}

  /** Empties files/tmp (uploads cut off by a crash) and makes sure it exists. */
  prepare(): void {
    const tmp = this.tmpDir();
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
  }

  tmpDir(): string {
    return join(filesDir(this.dataDir), 'tmp');
  }

  newTempPath(): string {
    return join(this.tmpDir(), randomBytes(12).toString('hex'));
  }

  /** Moves a finished upload (and its thumbnail) into place; call `placed` once its row committed or failed. */
  place(tmp: string, sha: string, tmpThumb: string | null): void {
    this.placing.set(sha, (this.placing.get(sha) ?? 0) + 1);
    const target = blobPath(this.dataDir, sha);
    mkdirSync(join(filesDir(this.dataDir), sha.slice(0, 2)), { recursive: true, mode: 0o700 });
    // Same content already stored: the bytes are identical, keep the old copy.
    if (existsSync(target)) rmSync(tmp, { force: true });
    else renameSync(tmp, target);
    if (tmpThumb !== null) {
      if (existsSync(thumbPath(this.dataDir, sha))) rmSync(tmpThumb, { force: true });
      else renameSync(tmpThumb, thumbPath(this.dataDir, sha));
    }
  }

  /** Where a content's bytes (or its thumbnail) are. */
  bytesPath(sha: string, thumb: boolean): string {
    return thumb ? thumbPath(this.dataDir, sha) : blobPath(this.dataDir, sha);
  }

  placed(sha: string, committed: boolean): void {
    const n = (this.placing.get(sha) ?? 1) - 1;
    if (n <= 0) this.placing.delete(sha);
    else this.placing.set(sha, n);
    if (!committed) this.release([sha]);
  }

  /** Removes the bytes of contents the writer reported unreferenced (still checked again here). */
  release(shas: readonly string[]): number {
    let removed = 0;
    for (const sha of shas) {
      if (!SHA_HEX.test(sha) || this.placing.has(sha) || this.isReferenced(sha)) continue;
      for (const p of [blobPath(this.dataDir, sha), thumbPath(this.dataDir, sha)]) {
        try {
          unlinkSync(p);
          removed++;
        } catch {
          // Already gone.
        }
      }
    }
    return removed;
  }
}
