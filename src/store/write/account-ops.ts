import type { Done, WriteFailed } from './write-ops.js';

/** What people change of their own account (applied by write/account-writes.ts). */
export type AccountOp =
  /**
   * A user changes their own password: applied only while the stored hash is
   * still `old` (a CLI `passwd` in between wins); `revokeOthers` ends every
   * other live token of theirs, all but `keep` (the token that asked).
   */
  | { k: 'password'; user: number; old: string; hash: string; keep: string; revokeOthers: boolean }
  /** Ends some of a user's own live tokens: those in `hashes`, or every one but `keep`. */
  | { k: 'end-sessions'; user: number; hashes?: string[]; keep?: string }
  /** Display name (already cleaned; '' clears) and avatar (an avatar upload of theirs, or null); an absent field stays. */
  | { k: 'profile'; user: number; displayName?: string; avatar?: string | null };

/** `ended`: the hashes (hex) of the tokens this write revoked; their sockets are to close. */
export interface SessionsEnded { ok: true; ended: string[] }

export type AccountResult<O extends AccountOp> = O extends { k: 'password' | 'end-sessions' } ? SessionsEnded | WriteFailed : Done | WriteFailed;
