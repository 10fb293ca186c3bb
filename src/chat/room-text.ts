/**
 * Room names and topics as people type them, made safe to show anywhere:
 * control characters and bidirectional overrides/isolates (which can make
 * "evil.txt" read as "txt.live") are removed, then the text is trimmed.
 * Never HTML: clients render it as text.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export const MAX_ROOM_NAME = 64;
export const MAX_ROOM_TOPIC = 512;

export function cleanText(text: string): string {
  return text.replace(UNSAFE, '').trim();
}

/** A room name: 1–64 characters after cleaning; null when there is nothing left, too much, or text that is not well-formed. */
export function cleanRoomName(text: string): string | null {
  // A lone surrogate cannot be stored as UTF-8 unchanged: refused, not altered.
  if (!text.isWellFormed()) return null;
  const v = cleanText(text);
  return v.length === 0 || [...v].length > MAX_ROOM_NAME ? null : v;
}

/** A topic: 0–512 characters after cleaning; null when too long or not well-formed. */
export function cleanRoomTopic(text: string): string | null {
  if (!text.isWellFormed()) return null;
  const v = cleanText(text);
  return [...v].length > MAX_ROOM_TOPIC ? null : v;
}
