/** Longest display name, in characters (code points) after cleaning. */
export const MAX_DISPLAY_NAME = 64;

/**
 * Control characters and the bidi formatting ones (embeddings, overrides,
 * isolates, marks): a name must not reorder or hide the text shown around it.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export type DisplayName = { ok: true; value: string } | { ok: false; message: string };

/**
 * A display name as stored: written in any script, NFC, runs of spaces made one,
 * unsafe characters removed, trimmed; `''` (or only spaces) clears it.
 * Refused when nothing is left of a non-blank name, or when over 64 characters.
 */
export function cleanDisplayName(raw: string): DisplayName {
  if (raw.trim() === '') return { ok: true, value: '' };
  // A lone surrogate cannot be stored as UTF-8 unchanged: refused, not altered.
  if (!raw.isWellFormed()) return { ok: false, message: 'the display name is not well-formed Unicode' };
  const value = raw.normalize('NFC').replace(/\s+/gu, ' ').replace(UNSAFE, '').trim();
  if (value === '') return { ok: false, message: 'the display name has no characters that can be shown' };
  const length = [...value].length;
  if (length > MAX_DISPLAY_NAME) return { ok: false, message: `the display name must have at most ${MAX_DISPLAY_NAME} characters (it has ${length})` };
  return { ok: true, value };
}
