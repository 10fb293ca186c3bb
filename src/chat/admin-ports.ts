import type { AdminOpName, AdminOps, AdminRoom, AdminUser, Outcome } from '../store/admin/admin-ops.js';

export type { AdminInviteLink, AdminOpName, AdminOps, AdminRoom, AdminUser, LinkState, Outcome, Refusal, ServerRoleName } from '../store/admin/admin-ops.js';

/** The store side: runs one operation off the event loop, in its own transaction. */
export interface AdminStore {
  run<K extends AdminOpName>(k: K, args: AdminOps[K]['in'], actor: string): Promise<Outcome<AdminOps[K]['out']>>;
}

/** The read-only lists of the admin page (the gateway's read connection: small indexed reads). */
export interface AdminDirectory {
  users(): AdminUser[];
  rooms(): AdminRoom[];
}

/** Signs a user in: a session token stored the way a login stores one. */
export type SessionIssuer = (userId: number, ip: string) => Promise<Outcome<string>>;

/** What an admin-thread change tells the live server once it committed. */
export interface LiveApply {
  /** Applies committed changes to the membership cache and live sockets now (the events follower's poll). */
  afterChange: () => void;
  /** Told when that failed; the follower's next tick catches the change up. */
  onError?: (err: unknown) => void;
}

/** The change is committed whatever happens here: a failure to apply it live costs a log line, not the answer. */
export function applyLive(deps: LiveApply): void {
  try {
    deps.afterChange();
  } catch (err) {
    deps.onError?.(err);
  }
}
