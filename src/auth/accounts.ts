import type { Logger } from '../log.js';
import type { ErrorCode } from '../protocol/errors.js';
import type { Reason } from '../protocol/reasons.js';
import type { ResultOf, WriteOp } from '../store/write/write-ops.js';
import type { LoginThrottle } from './login-throttle.js';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { passwordProblem } from './password-policy.js';
import type { Session } from './sessions.js';
import { hashToken, newToken } from './tokens.js';

/** Longer than any user name (32): what a login may name, at every door. */
const MAX_LOGIN_NAME = 64;

export interface LoginRow { id: number; name: string; role: 'admin' | 'member'; password_hash: string; disabled: number }

/** One live token of a user, as the store lists it. */
export interface SessionListRow { hash: string; device: string; ip: string; createdAt: number; lastUsedAt: number | null }

/** What the account rules read (store/read/account-reader.ts implements it). */
export interface AccountStore {
  loginRow(name: string): LoginRow | undefined;
  passwordHash(user: number): string | undefined;
  liveSessions(user: number, now: number): SessionListRow[];
}

/** Writes through the writer thread (never a synchronous write on the event loop). */
export interface AccountWriter {
  run<O extends WriteOp>(op: O): Promise<ResultOf<O>>;
}

export interface Refusal { ok: false; code: ErrorCode; message: string; reason?: Reason; retryAfterMs?: number }
export interface LoggedIn { ok: true; token: string; user: { id: string; name: string; role: 'admin' | 'member' } }
export interface SessionView { id: string; device: string; ip: string; createdAt: number; lastUsedAt: number; current: boolean }

export interface AccountDeps {
  store: AccountStore;
  writer: AccountWriter;
  throttle: LoginThrottle;
  tokenTtlMs: number;
  /** Told which tokens (hashes) a change ended, so their sockets close with 4001 at once. */
  ended: (user: number, tokenHashes: readonly string[]) => void;
  log: Logger;
  now?: () => number;
}

/** A session's id on the wire: a prefix of its token's SHA-256 (as `roost user tokens` shows), never the token. */
export const sessionId = (tokenHash: string): string => tokenHash.slice(0, 12);

const done = { ok: true } as const;

/**
 * Signing in and out and what people do with their own account: change
 * their password, list and end their sessions. Passwords are hashed on
 * libuv's thread pool, every change goes through the writer thread, and a
 * wrong current password counts toward the login throttle like a failed login.
 */
export class Accounts {
  private readonly now: () => number;

  constructor(private readonly deps: AccountDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** `deviceId`: a Matrix login's device (its token is then that device's, listed with the other sessions). */
  async login(username: string, password: string, device: string, ip: string, deviceId?: string): Promise<LoggedIn | Refusal> {
    const { store, writer, throttle, log } = this.deps;
    // No account has a longer name; refused before the throttle, which keeps the names of failed logins.
    if (username.length > MAX_LOGIN_NAME) return { ok: false, code: 'bad_request', message: `user names are at most ${MAX_LOGIN_NAME} characters` };
    const wait = throttle.retryAfter(ip, username);
    if (wait > 0) return { ok: false, code: 'rate_limited', message: 'too many failed logins; try again later', retryAfterMs: wait };
    const row = store.loginRow(username);
    // A bot has no password (its hash is empty): it is checked against the decoy like an unknown name, so it costs the same.
    const checked = row !== undefined && row.password_hash !== '' ? row.password_hash : await decoyHash();
    const ok = await verifyPassword(password, checked) && row !== undefined && row.password_hash !== '';
    if (row === undefined || !ok || row.disabled !== 0) {
      throttle.failed(ip, username);
      log.info({ ip, user: username }, 'login refused');
      return { ok: false, code: 'unauthorized', message: 'wrong user name or password' };
    }
    throttle.succeeded(ip, username);
    if (needsRehash(row.password_hash)) {
      // The parameters were raised since this hash was made: store one made with today's.
      const old = row.password_hash;
      // Not awaited (the login need not wait for it), so its failure is handled here: the old hash stays.
      void hashPassword(password)
        .then((hash) => writer.run({ k: 'rehash', user: row.id, old, hash }))
        .catch((err: unknown) => log.warn({ err, user: row.id }, 'password re-hash failed; the old hash stays'));
    }
    const token = newToken();
    const stored = await writer.run({ k: 'token', hash: hashToken(token), user: row.id, expiresAt: this.now() + this.deps.tokenTtlMs, ip, device, ...(deviceId === undefined ? {} : { deviceId }) });
    if (!stored.ok) return stored;
    log.info({ ip, user: row.name }, 'login');
    return { ok: true, token, user: { id: String(row.id), name: row.name, role: row.role } };
  }

  async logout(session: Session): Promise<typeof done | Refusal> {
    const r = await this.deps.writer.run({ k: 'revoke', hash: session.tokenHash });
    if (!r.ok) return r;
    this.deps.ended(session.userId, [session.tokenHash]);
    return done;
  }

  /**
   * The current password is required (a stolen session alone cannot lock
   * its owner out); the new one meets the CLI's policy. `revokeOthers` ends
   * every other session of the user.
   */
  async changePassword(session: Session, current: string, password: string, revokeOthers: boolean, ip: string): Promise<typeof done | Refusal> {
    const { store, writer, throttle, log } = this.deps;
    const wait = throttle.retryAfter(ip, session.name);
    if (wait > 0) return { ok: false, code: 'rate_limited', message: 'too many wrong passwords; try again later', retryAfterMs: wait };
    const problem = passwordProblem(password, session.name);
    if (problem !== undefined) return { ok: false, code: 'bad_request', message: problem };
    const old = store.passwordHash(session.userId);
    if (old === undefined || !(await verifyPassword(current, old))) {
      throttle.failed(ip, session.name);
      log.info({ ip, user: session.name }, 'password change refused: wrong current password');
      return { ok: false, code: 'forbidden', reason: 'wrong_password', message: 'the current password is wrong' };
    }
    throttle.succeeded(ip, session.name);
    const hash = await hashPassword(password);
    const r = await writer.run({ k: 'password', user: session.userId, old, hash, keep: session.tokenHash, revokeOthers });
    if (!r.ok) return r;
    this.deps.ended(session.userId, r.ended);
    log.info({ ip, user: session.name, sessionsEnded: r.ended.length }, 'password changed');
    return done;
  }

  sessions(session: Session): SessionView[] {
    return this.deps.store.liveSessions(session.userId, this.now()).map((r) => ({
      id: sessionId(r.hash), device: r.device, ip: r.ip, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt ?? r.createdAt,
      current: r.hash === session.tokenHash,
    }));
  }

  /** Ends one of the user's own sessions (the current one too, like a logout). */
  async endSession(session: Session, id: string): Promise<typeof done | Refusal> {
    const target = this.deps.store.liveSessions(session.userId, this.now()).find((r) => sessionId(r.hash) === id);
    if (target === undefined) return { ok: false, code: 'not_found', message: 'no such session of yours' };
    return this.end(session.userId, { k: 'end-sessions', user: session.userId, hashes: [target.hash] });
  }

  async endOthers(session: Session): Promise<typeof done | Refusal> {
    return this.end(session.userId, { k: 'end-sessions', user: session.userId, keep: session.tokenHash });
  }

  private async end(user: number, op: Extract<WriteOp, { k: 'end-sessions' }>): Promise<typeof done | Refusal> {
    const r = await this.deps.writer.run(op);
    if (!r.ok) return r;
    this.deps.ended(user, r.ended);
    return done;
  }
}
