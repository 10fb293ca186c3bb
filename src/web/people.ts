import type { PublicProfile } from './protocol.js';

/** What the client knows of a user: the sign-in name (what @-mentions match), the display name, the avatar. */
export interface Person { name: string; displayName: string; avatar?: string; bot?: boolean }

/** A fact learned about a user from any source: a profile, a members reply, a `profile` push. */
export interface PersonUpdate { id: string; name?: string; displayName?: string; avatar?: string | null; bot?: boolean }

/** Merges what was learned; a field not in an update keeps its known value, `avatar: null` removes it. */
export function withPeople(people: Readonly<Record<string, Person>>, updates: readonly PersonUpdate[]): Record<string, Person> {
  const out: Record<string, Person> = { ...people };
  for (const u of updates) {
    const old = out[u.id] ?? { name: '', displayName: '' };
    const next: Person = { name: u.name ?? old.name, displayName: u.displayName ?? old.displayName };
    const avatar = u.avatar === undefined ? old.avatar : u.avatar ?? undefined;
    if (avatar !== undefined) next.avatar = avatar;
    if (u.bot ?? old.bot) next.bot = true;
    out[u.id] = next;
  }
  return out;
}

export const fromProfile = (p: PublicProfile): PersonUpdate => ({ id: p.user, name: p.name, displayName: p.displayName, avatar: p.avatar ?? null, ...(p.bot === true ? { bot: true } : {}) });

/** What each user is called on screen: the display name when set, else the sign-in name. */
export function labelsOf(people: Readonly<Record<string, Person>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, p] of Object.entries(people)) {
    const label = p.displayName.trim() !== '' ? p.displayName.trim() : p.name;
    if (label !== '') out[id] = label;
  }
  return out;
}

/**
 * One or two letters for an avatar without a picture: the first letters of
 * the first two words ("Ada Lovelace" → "AL"), or the first character of a
 * name in a script without spaces ("王小明" → "王"). Whole characters, never
 * half of an emoji or a surrogate pair.
 */
export function initialsOf(label: string): string {
  const words = label.trim().split(/[\s._-]+/u).filter((w) => w !== '');
  const first = (w: string | undefined): string => (w === undefined ? '' : [...w][0] ?? '');
  if (words.length === 0) return '?';
  const one = first(words[0]);
  if (words.length === 1 || !/\p{L}/u.test(one) || /\p{Script=Han}/u.test(one)) return one.toUpperCase();
  return `${one}${first(words[1])}`.toUpperCase();
}

/** A room as named on screen: a direct room by the other person's name, a group room by its own. */
export function roomTitle(room: { kind: 'group' | 'direct'; name: string; peer: string | null; members: readonly string[] | null }, names: Readonly<Record<string, string>>, me: string): string {
  if (room.kind !== 'direct') return room.name;
  const peer = room.peer ?? room.members?.find((id) => id !== me);
  return (peer === undefined ? undefined : names[peer]) ?? room.name;
}
