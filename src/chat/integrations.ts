import { randomUUID } from 'node:crypto';
import { hashToken } from '../auth/tokens.js';
import type { HookCreated, IntegrationsReply, WebhookCreated } from '../protocol/integrations.js';
import { REASONS } from '../protocol/reasons.js';
import type { LiveHook, LiveWebhook } from '../store/read/integration-reader.js';
import { applyLive, type AdminStore, type LiveApply, type Outcome, type Refusal } from './admin-ports.js';
import type { Caller } from './admin-service.js';
import type { Membership } from './membership.js';
import { mayManageIntegrations, type RoomKind } from './policy.js';
import { parseRoomId, type SendOutcome } from './service.js';

export type { LiveHook, LiveWebhook };

/** What the integrations read on the event loop (the store's IntegrationReader implements it). */
export interface IntegrationSource {
  /** The hook whose token has this SHA-256 (hex), unless unknown or revoked. */
  hook(tokenHash: string): LiveHook | undefined;
  webhooks(room?: number): LiveWebhook[];
  roomKind(room: number): RoomKind | undefined;
}

/** The one send path every door uses (ChatService.send). */
export type Send = (user: number, room: string, body: string, clientMsgId: string, done: (outcome: SendOutcome) => void) => void;

export interface IntegrationDeps extends LiveApply {
  store: AdminStore;
  source: IntegrationSource;
  membership: Membership;
  send: Send;
}

const noRoom: Refusal = { ok: false, code: 'forbidden', reason: 'not_member', message: 'not a member of that room' };

/**
 * A room's incoming hooks and outgoing webhooks: who may manage them (chat/policy.ts),
 * and posting as a hook's bot through the same send path as a person. The
 * changes run on the admin thread, like the admin page's.
 */
export class Integrations {
  constructor(private readonly deps: IntegrationDeps) {}

  /**
   * The hook a token opens. The token is hashed first and looked up by its
   * hash, whatever its shape: an unknown and a revoked token cost the same and
   * answer the same.
   */
  hookFor(token: string): LiveHook | undefined {
    return this.deps.source.hook(hashToken(token));
  }

  /** Posts as the hook's bot. A bot joined by the CLI a moment ago is caught up first. */
  post(hook: LiveHook, body: string, done: (outcome: SendOutcome) => void): void {
    if (!this.deps.membership.isMember(hook.room, hook.bot)) applyLive(this.deps);
    this.deps.send(hook.bot, String(hook.room), body, `hook-${randomUUID()}`, done);
  }

  /** Posts an outgoing webhook's answer as its bot. */
  reply(webhook: Pick<LiveWebhook, 'room' | 'bot'>, body: string, done: (outcome: SendOutcome) => void): void {
    this.deps.send(webhook.bot, String(webhook.room), body, `webhook-${randomUUID()}`, done);
  }

  /** A refusal unless the caller may manage the room's integrations. Unknown rooms look like rooms one is not in. */
  refusalFor(caller: Caller, room: string): Refusal | undefined {
    const id = parseRoomId(room);
    const kind = id === null ? undefined : this.deps.source.roomKind(id);
    if (id === null || kind === undefined) return caller.role === 'admin' ? { ok: false, code: 'not_found', message: 'no such room' } : noRoom;
    const role = this.deps.membership.roleOf(id, caller.userId);
    const may = mayManageIntegrations({ kind }, role === undefined ? null : { state: 'joined', role }, caller.role);
    if (may.ok) return undefined;
    return { ok: false, code: REASONS[may.reason].code, reason: may.reason, message: 'only the room\'s owners and moderators (and admins) manage its integrations' };
  }

  async list(caller: Caller, room: string): Promise<Outcome<IntegrationsReply>> {
    return this.refusalFor(caller, room) ?? this.deps.store.run('integrations.list', { room }, caller.name);
  }

  /** `urlOf` turns the token (shown once) into the hook's URL. */
  async createHook(caller: Caller, room: string, name: string, urlOf: (token: string) => string): Promise<Outcome<HookCreated>> {
    const made = await this.change(caller, room, () => this.deps.store.run('hook.create', { room, name }, caller.name));
    return made.ok ? { ok: true, value: { hook: made.value.hook, url: urlOf(made.value.token) } } : made;
  }

  revokeHook(caller: Caller, room: string, id: number): Promise<Outcome<{ changed: boolean }>> {
    return this.change(caller, room, () => this.deps.store.run('hook.revoke', { room, id }, caller.name));
  }

  /** The URL's host was checked to be on the LAN by the door (it resolves names). */
  addWebhook(caller: Caller, room: string, spec: { url: string; trigger: string; name: string }): Promise<Outcome<WebhookCreated>> {
    return this.change(caller, room, () => this.deps.store.run('webhook.add', { room, ...spec }, caller.name));
  }

  removeWebhook(caller: Caller, room: string, id: number): Promise<Outcome<{ changed: boolean }>> {
    return this.change(caller, room, () => this.deps.store.run('webhook.remove', { room, id }, caller.name));
  }

  /** Invites the assistant's bot into the room, or removes it: the room's integrations are its managers' call. */
  setAssistant(caller: Caller, room: string, member: boolean): Promise<Outcome<{ changed: boolean }>> {
    return this.change(caller, room, () => this.deps.store.run('assistant.member', { room, member }, caller.name));
  }

  private async change<T>(caller: Caller, room: string, run: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    const refused = this.refusalFor(caller, room);
    if (refused !== undefined) return refused;
    const done = await run();
    if (done.ok) applyLive(this.deps);
    return done;
  }
}
