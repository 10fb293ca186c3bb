import type { WireMessage } from './frames.js';

/**
 * When an outgoing webhook fires: on every message (`any`), on a message that
 * mentions its bot (`mention`), or on one that starts with a command word
 * (`!word`, followed by a space or the end). Messages from the webhook's own
 * bot never fire it, so a reply cannot start a loop.
 */
export type WebhookTrigger = 'any' | 'mention' | `!${string}`;

const COMMAND = /^![a-z0-9_-]{1,32}$/i;

export function isWebhookTrigger(text: string): text is WebhookTrigger {
  return text === 'any' || text === 'mention' || COMMAND.test(text);
}

export function fires(trigger: WebhookTrigger, message: Pick<WireMessage, 'from' | 'body' | 'mentions' | 'event'>, bot: string): boolean {
  if (message.event !== undefined || message.from === bot) return false;
  if (trigger === 'any') return true;
  if (trigger === 'mention') return message.mentions?.includes(bot) === true;
  const body = message.body.trimStart();
  if (body.length < trigger.length || body.slice(0, trigger.length).toLowerCase() !== trigger.toLowerCase()) return false;
  const next = body.charAt(trigger.length);
  return next === '' || /\s/.test(next);
}
