import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { HashLimiter } from './hash-limiter.js';

/**
 * scrypt from node:crypto, which runs on libuv's thread pool, so hashing a
 * login never blocks the event loop. N=2^14, r=8, p=1 costs ~21 ms on these
 * x86 machines and an estimated 60-80 ms on a Pi 4 (docs/security.md); the parameters travel inside each hash so
 * they can be raised later without breaking stored passwords.
 */
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LEN = 32;

/**
 * Every hash and check goes through here. Two at once keeps a burst of logins
 * from leaving 4 × 16 MiB resident (measured in docs/benchmark.md); at ~70 ms
 * a hash on a Pi 4 that is still ~28 logins a second.
 */
export const MAX_CONCURRENT_HASHES = 2;
export const passwordHashes = new HashLimiter(MAX_CONCURRENT_HASHES);
const SALT_LEN = 16;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return passwordHashes.run(() => scryptKey(password, salt, opts));
}

function scryptKey(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LEN, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** `scrypt$N$r$p$salt$hash`, base64 parts. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when a stored hash was made with other parameters than today's: re-hash it at the next login. */
export function needsRehash(stored: string): boolean {
  const parts = stored.split('$');
  return parts[0] !== 'scrypt' || Number(parts[1]) !== PARAMS.N || Number(parts[2]) !== PARAMS.r || Number(parts[3]) !== PARAMS.p;
}

export const SCRYPT_PARAMS = PARAMS;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash ?? '', 'base64');
  const key = await derive(password, Buffer.from(salt ?? '', 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password hash that matches nothing, so an unknown user costs as much time as a known one. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** A strong generated password: 20 characters from an unambiguous alphabet (~115 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export const MIN_PASSWORD_LENGTH = 8;
