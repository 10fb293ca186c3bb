import { t } from './i18n.js';
import type { WireMessage } from './protocol.js';

/** Longest preview kept; the room list cuts it to its width with an ellipsis anyway. */
const MAX_CHARS = 120;

/**
 * A message as one line of the room list: the sender (when the caller names
 * one) and its text, or its files when it has no text, so a shared PDF reads
 * "alice: 📎 notes.pdf" rather than "alice:".
 */
export function previewText(m: WireMessage, who: string): string {
  const prefix = who === '' ? '' : `${who}: `;
  if (m.deleted === true) return `${prefix}${t('deleted')}`;
  const body = m.body.replace(/\s+/g, ' ').trim();
  if (body !== '') return `${prefix}${body}`.slice(0, MAX_CHARS);
  const files = m.attachments ?? [];
  const first = files[0];
  if (first === undefined) return prefix.trimEnd();
  const more = files.length > 1 ? ` ${t('moreFiles', { n: files.length - 1 })}` : '';
  return `${prefix}📎 ${first.name}${more}`.slice(0, MAX_CHARS);
}
