import { RoostError } from '../../protocol/errors.js';

export const MAX_DISPLAY_NAME_CHARS = 64;

/**
 * Control characters and the bidirectional overrides and isolates: a name
 * must not reorder or hide the text shown around it.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A display name as stored: trimmed, any script, 1–64 characters, nothing that reorders text. */
export function validateDisplayName(name: string): string {
  const trimmed = name.trim();
  const chars = [...trimmed].length;
  if (chars === 0 || chars > MAX_DISPLAY_NAME_CHARS || UNSAFE.test(trimmed) || !trimmed.isWellFormed()) {
    throw new RoostError('bad_request', `a display name is 1-${MAX_DISPLAY_NAME_CHARS} characters, without control or text-direction characters or broken Unicode`);
  }
  return trimmed;
}
