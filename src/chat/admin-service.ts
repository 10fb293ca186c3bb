import { generatePassword, hashPassword } from '../auth/password.js';
import { passwordProblem } from '../auth/password-policy.js';
import { REASONS, type Reason } from '../protocol/reasons.js';
import {
  applyLive,
  type AdminDirectory, type AdminInviteLink, type AdminOpName, type AdminOps, type AdminRoom, type AdminStore, type AdminUser, type LiveApply,
  type Outcome, type Refusal, type ServerRoleName, type SessionIssuer,
} from './admin-ports.js';
import { mayAdminister, type ServerRole } from './policy.js';

/** Who is asking: the signed-in user behind the request. */
export interface Caller { userId: number; name: string; role: ServerRole }

export interface AdminServiceDeps extends LiveApply {
  store: AdminStore;
  directory: AdminDirectory;
  issueSession: SessionIssuer;
  /** Hashing is slow on purpose; tests may pass a faster one. */
  hash?: (password: string) => Promise<string>;
}

const refuse = (reason: Reason, message: string): Refusal => ({ ok: false, code: REASONS[reason].code, reason, message });
const bad = (message: string): Refusal => ({ ok: false, code: 'bad_request', message });

export interface Redeem { token: string; name: string; password: string; displayName?: string }

/**
 * The admin page's actions and invitation links, one door among several:
 * every action asks `mayAdminister` first, then runs the CLI's store function
 * off the event loop with the admin as its audit actor.
 */
export class AdminService {
  private readonly hash: (password: string) => Promise<string>;

  constructor(private readonly deps: AdminServiceDeps) {
    this.hash = deps.hash ?? hashPassword;
  }

  /** A refusal for anyone but a server admin, or undefined. */
  refusalFor(caller: Caller): Refusal | undefined {
    const may = mayAdminister(caller.role);
    return may.ok ? undefined : refuse(may.reason, 'only a server admin may do this');
  }

  users(caller: Caller): Outcome<AdminUser[]> {
    return this.refusalFor(caller) ?? { ok: true, value: this.deps.directory.users() };
  }

  rooms(caller: Caller): Outcome<AdminRoom[]> {
    return this.refusalFor(caller) ?? { ok: true, value: this.deps.directory.rooms() };
  }

  /** A new account with a generated password, answered once and never stored in clear. */
  async createUser(caller: Caller, name: string, role: ServerRoleName): Promise<Outcome<{ user: AdminUser; password: string }>> {
    const password = generatePassword();
    const made = await this.change(caller, 'user.create', async () => ({ name, role, passwordHash: await this.hash(password) }));
    return made.ok ? { ok: true, value: { user: made.value, password } } : made;
  }

  /** A new generated password, answered once (the user's sessions stay, as with `roost user passwd`). */
  async resetPassword(caller: Caller, name: string): Promise<Outcome<{ user: AdminUser; password: string }>> {
    const password = generatePassword();
    const done = await this.change(caller, 'user.password', async () => ({ name, passwordHash: await this.hash(password) }));
    return done.ok ? { ok: true, value: { user: done.value, password } } : done;
  }

  disable(caller: Caller, name: string): Promise<Outcome<AdminUser>> {
    return this.change(caller, 'user.disable', () => ({ name }));
  }

  enable(caller: Caller, name: string): Promise<Outcome<AdminUser>> {
    return this.change(caller, 'user.enable', () => ({ name }));
  }

  setRole(caller: Caller, name: string, role: ServerRoleName): Promise<Outcome<AdminUser>> {
    return this.change(caller, 'user.role', () => ({ name, role }));
  }

  createRoom(caller: Caller, name: string, members: string[]): Promise<Outcome<AdminRoom>> {
    return this.change(caller, 'room.create', () => ({ name, members }));
  }

  addMember(caller: Caller, room: string, user: string): Promise<Outcome<{ changed: boolean }>> {
    return this.change(caller, 'room.add', () => ({ room, user }));
  }

  removeMember(caller: Caller, room: string, user: string): Promise<Outcome<{ changed: boolean }>> {
    return this.change(caller, 'room.remove', () => ({ room, user }));
  }

  createLink(caller: Caller, spec: { expiresInHours: number; maxUses: number; rooms: string[]; note: string }): Promise<Outcome<{ token: string; link: AdminInviteLink }>> {
    return this.change(caller, 'invite.create', () => ({ ...spec, createdBy: caller.userId }));
  }

  async links(caller: Caller): Promise<Outcome<AdminInviteLink[]>> {
    return this.refusalFor(caller) ?? this.deps.store.run('invite.list', {}, caller.name);
  }

  revokeLink(caller: Caller, id: string): Promise<Outcome<{ changed: boolean }>> {
    return this.change(caller, 'invite.revoke', () => ({ id }));
  }

  /** Public: whether a link still works, and the rooms it joins. */
  checkLink(token: string): Promise<Outcome<AdminOps['invite.check']['out']>> {
    return this.deps.store.run('invite.check', { token }, '');
  }

  /** Public: makes the account, joins the link's rooms and signs the newcomer in. */
  async redeem(r: Redeem, ip: string): Promise<Outcome<{ token: string; user: AdminUser; rooms: string[] }>> {
    const problem = passwordProblem(r.password, r.name);
    if (problem !== undefined) return bad(problem);
    // A spent or guessed link is refused before scrypt runs: guessing costs the server a lookup, not 16 MiB of hashing.
    const usable = await this.checkLink(r.token);
    if (!usable.ok) return usable;
    const made = await this.deps.store.run('invite.redeem', {
      token: r.token, name: r.name, passwordHash: await this.hash(r.password), ...(r.displayName === undefined ? {} : { displayName: r.displayName }),
    }, r.name);
    if (!made.ok) return made;
    applyLive(this.deps);
    const session = await this.deps.issueSession(Number(made.value.user.id), ip);
    if (!session.ok) return session;
    return { ok: true, value: { token: session.value, user: made.value.user, rooms: made.value.rooms } };
  }

  private async change<K extends AdminOpName>(caller: Caller, k: K, args: () => AdminOps[K]['in'] | Promise<AdminOps[K]['in']>): Promise<Outcome<AdminOps[K]['out']>> {
    const refused = this.refusalFor(caller);
    if (refused !== undefined) return refused;
    const done = await this.deps.store.run(k, await args(), caller.name);
    if (done.ok) applyLive(this.deps);
    return done;
  }
}
