import { call } from './api.js';
import type { User } from './protocol.js';

/** The admin page's and the join page's HTTP calls (docs/protocol.md, "Admin" and "Invitation links"). */

export interface AdminUser { id: string; name: string; role: 'admin' | 'member'; disabled: boolean; createdAt: number }
export interface AdminRoom { id: string; name: string; kind: string; lastSeq: number; createdAt: number; members: string[] }
export interface InviteLink {
  id: string; createdBy: string; createdAt: number; expiresAt: number; maxUses: number; uses: number;
  rooms: string[]; note: string; revokedAt: number | null; state: 'usable' | 'expired' | 'spent' | 'revoked';
}

const seg = encodeURIComponent;

export const adminApi = {
  createUser: (token: string, name: string, role: 'admin' | 'member') =>
    call<{ user: AdminUser; password: string }>('POST', '/api/v1/admin/users', token, { name, role }),
  resetPassword: (token: string, name: string) =>
    call<{ user: AdminUser; password: string }>('POST', `/api/v1/admin/users/${seg(name)}/password`, token),
  disable: (token: string, name: string) => call<{ user: AdminUser }>('POST', `/api/v1/admin/users/${seg(name)}/disable`, token),
  enable: (token: string, name: string) => call<{ user: AdminUser }>('POST', `/api/v1/admin/users/${seg(name)}/enable`, token),
  setRole: (token: string, name: string, role: 'admin' | 'member') =>
    call<{ user: AdminUser }>('POST', `/api/v1/admin/users/${seg(name)}/role`, token, { role }),
  createRoom: (token: string, name: string, members: string[]) =>
    call<{ room: AdminRoom }>('POST', '/api/v1/admin/rooms', token, { name, members }),
  addMember: (token: string, room: string, user: string) =>
    call<{ changed: boolean }>('POST', `/api/v1/admin/rooms/${seg(room)}/members`, token, { user }),
  removeMember: (token: string, room: string, user: string) =>
    call<{ changed: boolean }>('POST', `/api/v1/admin/rooms/${seg(room)}/members/${seg(user)}/remove`, token),
  links: (token: string) => call<{ links: InviteLink[] }>('GET', '/api/v1/admin/invite-links', token),
  createLink: (token: string, spec: { expiresInHours: number; maxUses: number; rooms: string[]; note: string }) =>
    call<InviteLink & { url: string; token: string }>('POST', '/api/v1/admin/invite-links', token, spec),
  revokeLink: (token: string, id: string) => call<{ changed: boolean }>('POST', `/api/v1/admin/invite-links/${seg(id)}/revoke`, token),
};

export const inviteApi = {
  check: (token: string) => call<{ expiresAt: number; rooms: Array<{ id: string; name: string }> }>('POST', '/api/v1/invite-links/check', null, { token }),
  redeem: (body: { token: string; name: string; password: string; displayName?: string }) =>
    call<{ token: string; user: User; rooms: string[] }>('POST', '/api/v1/invite-links/redeem', null, body),
};
