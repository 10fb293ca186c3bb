import { call } from './api.js';
import type { HookCreated, IntegrationsReply, WebhookCreated } from '../protocol/integrations.js';

export type { HookCreated, IntegrationsReply, WebhookCreated };
export type { WireHook, WireWebhook } from '../protocol/integrations.js';

const base = (room: string): string => `/api/v1/rooms/${encodeURIComponent(room)}`;

/** A room's integrations (docs/protocol.md, "Integrations"): for its owners and moderators, and admins. */
export const integrationsApi = {
  list: (token: string, room: string) => call<IntegrationsReply>('GET', `${base(room)}/integrations`, token),
  createHook: (token: string, room: string, name: string) => call<HookCreated>('POST', `${base(room)}/hooks`, token, { name }),
  revokeHook: (token: string, room: string, id: string) => call<{ changed: boolean }>('DELETE', `${base(room)}/hooks/${encodeURIComponent(id)}`, token),
  addWebhook: (token: string, room: string, spec: { url: string; trigger: string; name: string }) =>
    call<WebhookCreated>('POST', `${base(room)}/webhooks`, token, spec),
  setAssistant: (token: string, room: string, member: boolean) => call<{ changed: boolean }>('POST', `${base(room)}/assistant`, token, { member }),
  removeWebhook: (token: string, room: string, id: string) => call<{ changed: boolean }>('DELETE', `${base(room)}/webhooks/${encodeURIComponent(id)}`, token),
};
