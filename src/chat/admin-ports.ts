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
