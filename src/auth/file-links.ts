import { createHmac, timingSafeEqual } from 'node:crypto';

export type FileVariant = 'original' | 'thumbnail';

const USER_ID = /^[1-9][0-9]{0,15}$/;
const EXPIRY = /^[1-9][0-9]{0,12}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Short-lived capabilities for one file (or its thumbnail) and one user:
 * `<userId>.<expiry in unix seconds>.<HMAC-SHA256>`. A copied link exposes that
 * one file until it expires, never the account; the download still checks
 * that the user may see the file now.
 */
export class FileLinks {
  constructor(
    private readonly key: Buffer,
    /** How long a link lives, in seconds (`fileLinkSeconds`). */
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(fileId: string, variant: FileVariant, userId: number): string {
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    return `${userId}.${exp}.${this.sign(fileId, variant, userId, exp).toString('base64url')}`;
  }

  /** The user a capability was issued to, or undefined when it is malformed, tampered with, for another file or variant, or expired. */
  verify(cap: string, fileId: string, variant: FileVariant): number | undefined {
    const [user, exp, sig, ...rest] = cap.split('.');
    if (rest.length > 0 || user === undefined || exp === undefined || sig === undefined) return undefined;
    if (!USER_ID.test(user) || !EXPIRY.test(exp) || !SIGNATURE.test(sig)) return undefined;
    const userId = Number(user);
    const expiry = Number(exp);
    const expected = this.sign(fileId, variant, userId, expiry);
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    // Checked after the signature, so a forged expiry learns nothing.
    return this.now() < expiry * 1000 ? userId : undefined;
  }

  private sign(fileId: string, variant: FileVariant, userId: number, exp: number): Buffer {
    // Newline-separated: a file id is [A-Za-z0-9_-], so no field can run into the next.
    return createHmac('sha256', this.key).update(`roost-file-link\n${fileId}\n${variant}\n${userId}\n${exp}`).digest();
  }
}
