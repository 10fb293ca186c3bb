import type { ErrorCode } from '../../protocol/errors.js';
import type { WireAssistant, WireHook, WireWebhook } from '../../protocol/integrations.js';
import type { Reason } from '../../protocol/reasons.js';

/**
 * What the admin page and invitation links ask of the admin thread, as plain
 * data (it crosses by postMessage). The store owns these shapes; chat's
 * AdminStore port uses them. The thread runs the same functions as the CLI,
 * so the audit log reads alike whichever door made a change; only the actor
 * differs.
 */

export type ServerRoleName = 'admin' | 'member';

export interface AdminUser { id: string; name: string; role: ServerRoleName; disabled: boolean; createdAt: number }
export interface AdminRoom { id: string; name: string; kind: 'group' | 'direct'; lastSeq: number; createdAt: number; members: string[] }
export type LinkState = 'usable' | 'expired' | 'spent' | 'revoked';
export interface AdminInviteLink {
  id: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  maxUses: number;
  uses: number;
  rooms: string[];
  note: string;
  revokedAt: number | null;
  state: LinkState;
}

/** Each operation's input and what it answers. `actor` (the admin's user name) travels beside it. */
export interface AdminOps {
  'user.create': { in: { name: string; role: ServerRoleName; passwordHash: string }; out: AdminUser };
  'user.password': { in: { name: string; passwordHash: string }; out: AdminUser };
  'user.disable': { in: { name: string }; out: AdminUser };
  'user.enable': { in: { name: string }; out: AdminUser };
  'user.role': { in: { name: string; role: ServerRoleName }; out: AdminUser };
  'room.create': { in: { name: string; members: string[] }; out: AdminRoom };
  'room.add': { in: { room: string; user: string }; out: { changed: boolean } };
  'room.remove': { in: { room: string; user: string }; out: { changed: boolean } };
  'invite.create': { in: { createdBy: number; expiresInHours: number; maxUses: number; rooms: string[]; note: string }; out: { token: string; link: AdminInviteLink } };
  'invite.list': { in: Record<string, never>; out: AdminInviteLink[] };
  'invite.revoke': { in: { id: string }; out: { changed: boolean } };
  /** What the join page shows before anyone types: the rooms, the expiry. */
  'invite.check': { in: { token: string }; out: { expiresAt: number; rooms: Array<{ id: string; name: string }> } };
  'invite.redeem': { in: { token: string; name: string; passwordHash: string; displayName?: string }; out: { user: AdminUser; rooms: string[] } };
  /** A room's integrations; the caller checked who may (chat/policy.ts mayManageIntegrations). */
  'integrations.list': { in: { room: string }; out: { hooks: WireHook[]; webhooks: WireWebhook[]; assistant?: WireAssistant } };
  /** Invites the enabled assistant's bot into the room, or removes it. */
  'assistant.member': { in: { room: string; member: boolean }; out: { changed: boolean } };
  'hook.create': { in: { room: string; name: string }; out: { hook: WireHook; token: string } };
  'hook.revoke': { in: { room: string; id: number }; out: { changed: boolean } };
  'webhook.add': { in: { room: string; url: string; trigger: string; name: string }; out: { webhook: WireWebhook; secret: string } };
  'webhook.remove': { in: { room: string; id: number }; out: { changed: boolean } };
}

export type AdminOpName = keyof AdminOps;

export interface Refusal { ok: false; code: ErrorCode; reason?: Reason; message: string }
export type Outcome<T> = { ok: true; value: T } | Refusal;

