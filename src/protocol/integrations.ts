/** A room's integrations as the HTTP routes answer them (docs/protocol.md, "Integrations"). */

/** An incoming hook. Its URL is shown once, when it is made: only the token's hash is kept. */
export interface WireHook { id: string; room: string; name: string; bot: string; botName: string; createdBy: string; createdAt: number; revokedAt: number | null }

/** An outgoing webhook. Its secret is shown once, when it is made. */
export interface WireWebhook { id: string; room: string; bot: string; botName: string; url: string; trigger: string; createdBy: string; createdAt: number }

export interface IntegrationsReply { hooks: WireHook[]; webhooks: WireWebhook[] }
export interface HookCreated { hook: WireHook; url: string }
export interface WebhookCreated { webhook: WireWebhook; secret: string }
