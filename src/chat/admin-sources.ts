import { hashToken, newToken } from '../auth/tokens.js';
import type { Reader } from '../store/read/reader.js';
import type { AdminDirectory, SessionIssuer } from './admin-ports.js';
import type { WriteQueue } from './ports.js';

/** Rows listed by one admin request: enough for any LAN, bounded all the same. */
const DIRECTORY_LIMIT = 5000;

/** The admin page's lists, from the gateway's read connection. */
export function adminDirectory(reader: Pick<Reader, 'allUsers' | 'allRooms'>): AdminDirectory {
  return {
    users: () => reader.allUsers(DIRECTORY_LIMIT).map((u) => ({
      id: String(u.id), name: u.name, role: u.role === 'admin' ? 'admin' : 'member', disabled: u.disabled !== 0, createdAt: u.created_at,
    })),
    rooms: () => reader.allRooms(DIRECTORY_LIMIT).map((r) => ({
      id: String(r.id), name: r.name, kind: r.kind, lastSeq: r.last_seq, createdAt: r.created_at, members: r.members,
    })),
  };
}

/** A session made the way a login makes one: a new token whose hash the writer thread stores. */
export function sessionIssuer(writer: WriteQueue, ttlMs: number): SessionIssuer {
  return (userId, ip) => {
    const token = newToken();
    return new Promise((resolve) => {
      const queued = writer.submit({ k: 'token', hash: hashToken(token), user: userId, expiresAt: Date.now() + ttlMs, ip }, (stored) => {
        resolve(stored.ok ? { ok: true, value: token } : stored);
      });
      if (!queued) resolve({ ok: false, code: 'unavailable', message: 'the store is busy or shutting down' });
    });
  };
}
