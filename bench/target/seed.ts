/**
 * Bench users and rooms, created through the store's admin functions (what
 * the CLI uses) in one transaction. On a scratch folder the tokens are
 * written by the same store code the login route uses (BatchApplier's token
 * op), because thousands of HTTP logins would spend minutes in scrypt.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/auth/password.js';
import { hashToken, newToken } from '../../src/auth/tokens.js';
import { addUser, createRoom, disableUser, findUser, removeMember, type RoomRow } from '../../src/store/admin/admin.js';
import { BatchApplier } from '../../src/store/write/batch-applier.js';
import type { Db } from '../../src/store/db/database.js';
import type { ConnSpec } from '../worker/protocol.js';

export interface SeedPlan {
  /** Prefix of every user and room name, unique per run. */
  prefix: string;
  connections: number;
  /** Connections (users) per room; the last room may be smaller. */
  roomSize: number;
}

export interface Seeded {
  users: string[];
  rooms: string[];
  password: string;
  /** Room id and user index of each connection. */
  layout: Array<{ user: number; room: string }>;
  /** Sockets subscribed to each room (for expected deliveries). */
  roomSockets: Map<string, number>;
}

export function runPrefix(): string {
  return `bench${randomBytes(3).toString('hex')}`;
}

/** Users u0..u(n-1), one per connection, grouped into rooms of roomSize. */
export async function seedUsersAndRooms(db: Db, plan: SeedPlan): Promise<Seeded> {
  const password = randomBytes(18).toString('base64url');
  // One scrypt hash shared by every bench user: hashing 20,000 passwords would take minutes.
  const hash = await hashPassword(password);
  const users: string[] = [];
  const rooms: string[] = [];
  const layout: Seeded['layout'] = [];
  const roomSockets = new Map<string, number>();
  db.transaction(() => {
    for (let i = 0; i < plan.connections; i++) {
      const name = `${plan.prefix}-u${i}`;
      addUser(db, name, 'member', hash);
      users.push(name);
    }
    for (let start = 0, r = 0; start < plan.connections; start += plan.roomSize, r++) {
      const members = users.slice(start, start + plan.roomSize);
      const room: RoomRow = createRoom(db, `${plan.prefix}-r${r}`, members);
      const id = String(room.id);
      rooms.push(id);
      roomSockets.set(id, members.length);
      for (let j = 0; j < members.length; j++) layout.push({ user: start + j, room: id });
    }
  }).immediate();
  return { users, rooms, password, layout, roomSockets };
}

/** Issues one token per user, directly in the store (scratch folders only). */
export function mintTokens(db: Db, users: readonly string[], ttlMs = 24 * 60 * 60 * 1000): string[] {
  const applier = new BatchApplier(db);
  const now = Date.now();
  const tokens: string[] = [];
  const ops = users.map((name) => {
    const token = newToken();
    tokens.push(token);
    return { k: 'token' as const, hash: hashToken(token), user: findUser(db, name).id, expiresAt: now + ttlMs, ip: '127.0.0.1' };
  });
  for (let i = 0; i < ops.length; i += 2000) applier.apply(ops.slice(i, i + 2000), now);
  return tokens;
}

export function connSpecs(seeded: Seeded, tokens: readonly string[]): ConnSpec[] {
  return seeded.layout.map((l) => ({ token: tokens[l.user] ?? '', room: l.room }));
}

/**
 * Takes bench users out of a live server: removed from their rooms, disabled
 * (which revokes their tokens and closes their sockets). Their rows and the
 * messages they sent stay: the store has no delete for users or rooms.
 */
export function retireBenchUsers(db: Db, seeded: Seeded): void {
  db.transaction(() => {
    for (const l of seeded.layout) {
      const name = seeded.users[l.user] ?? '';
      removeMember(db, l.room, name);
      disableUser(db, name);
    }
  }).immediate();
}
