import type { User } from './protocol.js';

/** The signed-in user and token, remembered in localStorage so a reload stays signed in. */
export interface Session { token: string; user: User }

const KEY = 'roost.session';

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (raw === null) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.user?.id !== 'string' || typeof s.user.name !== 'string') return null;
    return { token: s.token, user: { id: s.user.id, name: s.user.name, role: s.user.role === 'admin' ? 'admin' : 'member' } };
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}
