/** A room's integrations as the HTTP routes answer them (docs/protocol.md, "Integrations"). */

/** An incoming hook. Its URL is shown once, when it is made: only the token's hash is kept. */
export interface WireHook { id: string; room: string; name: string; bot: string; botName: string; createdBy: string; createdAt: number; revokedAt: number | null }

/** An outgoing webhook. Its secret is shown once, when it is made. */
export interface WireWebhook { id: string; room: string; bot: string; botName: string; url: string; trigger: string; createdBy: string; createdAt: number }

/** The assistant as a room's integrations show it (present only while it is enabled): is its bot a member here? */
export interface WireAssistant { bot: string; botName: string; member: boolean }

export interface IntegrationsReply { hooks: WireHook[]; webhooks: WireWebhook[]; assistant?: WireAssistant }
export interface HookCreated { hook: WireHook; url: string }
export interface WebhookCreated { webhook: WireWebhook; secret: string }
