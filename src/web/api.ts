import type { FileLink } from './file-links.js';
import type { Member, User } from './protocol.js';

/** The HTTP side of the protocol: login, logout, and the directory routes the client needs. */

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfter?: number, readonly reason?: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export async function call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let value: unknown = null;
  try {
    value = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: a proxy's error page, say. Reported below by status.
  }
  if (!res.ok) {
    const err = (value as { error?: { code?: string; message?: string; reason?: string } } | null)?.error;
    const retry = Number(res.headers.get('retry-after') ?? '');
    throw new HttpError(res.status, err?.code ?? 'internal', err?.message ?? res.statusText, Number.isFinite(retry) && retry > 0 ? retry : undefined, err?.reason);
  }
  return value as T;
}

export const api = {
  login: (username: string, password: string) =>
    call<{ token: string; user: User }>('POST', '/api/v1/login', null, { username, password }),
  logout: (token: string) => call<void>('POST', '/api/v1/logout', token),
  /** Resolves when the token is still good; an HttpError with status 401 when it is not. */
  checkToken: (token: string) => call<unknown>('GET', '/api/v1/rooms', token),
  members: (token: string, room: string) =>
    call<{ members: Member[] }>('GET', `/api/v1/rooms/${encodeURIComponent(room)}/members`, token),
  /** Short-lived URLs for files and thumbnails; files we may not see are left out. */
  fileLinks: (token: string, files: Array<{ fileId: string; thumbnail: boolean }>) =>
    call<{ links: Record<string, FileLink>; expiresIn: number }>('POST', '/api/v1/files/links', token, { files }),
  /** The same for avatars (users' and rooms'): one thumbnail URL each; avatars we may not see are left out. */
  avatarLinks: (token: string, files: string[]) =>
    call<{ links: Record<string, string>; expiresIn: number }>('POST', '/api/v1/avatars/links', token, { files }),
  changePassword: (token: string, current: string, password: string, revokeOthers: boolean) =>
    call<void>('POST', '/api/v1/account/password', token, { current, password, revokeOthers }),
  sessions: (token: string) => call<{ sessions: AccountSession[] }>('GET', '/api/v1/account/sessions', token),
  revokeSession: (token: string, id: string) => call<void>('DELETE', `/api/v1/account/sessions/${encodeURIComponent(id)}`, token),
  revokeOtherSessions: (token: string) => call<void>('POST', '/api/v1/account/sessions/revoke-others', token),
  adminUsers: (token: string) =>
    call<{ users: Array<{ id: string; name: string; role: string; disabled: boolean; createdAt: number }> }>('GET', '/api/v1/admin/users', token),
  adminRooms: (token: string) =>
    call<{ rooms: Array<{ id: string; name: string; kind: string; lastSeq: number; createdAt: number; members: string[] }> }>('GET', '/api/v1/admin/rooms', token),
  adminStats: (token: string) => call<AdminStats>('GET', '/api/v1/admin/stats', token),
};

/** One signed-in device of the user (`current`: this browser). */
export interface AccountSession { id: string; device: string; ip: string; createdAt: number; lastUsedAt: number; current: boolean }

export interface AdminStats {
  healthy: boolean;
  node: string;
  uptimeSeconds: number;
  connections: number;
  writerQueueDepth: number;
  messagesCommitted: number;
  authFailures: number;
  eventLoopLagP99Ms: number;
  rssBytes: number;
  heapUsedBytes: number;
}
