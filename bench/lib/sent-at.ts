/**
 * Senders stamp each message body with its send time (`t:<wall ms>|…`); a
 * receiver finds the stamps in what it got, whatever wraps them (a native
 * `message` frame, a Matrix `/sync` answer with many events).
 */

/** The body's stamp prefix as it appears in JSON text. */
export const STAMP = '"body":"t:';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one box. */
export const wallMs = (): number => performance.timeOrigin + performance.now();

/** A body of `bodyBytes` characters that starts with the current send time. */
export function stampedBody(bodyBytes: number): string {
  const head = `t:${wallMs().toFixed(3)}|`;
  return head.length < bodyBytes ? head + 'x'.repeat(bodyBytes - head.length) : head;
}

/** Calls `each` with the send time of every stamped body in `text`; returns how many it found. */
export function forEachSentAt(text: string, each: (sentAtMs: number) => void): number {
  let found = 0;
  let at = text.indexOf(STAMP);
  while (at !== -1) {
    const from = at + STAMP.length;
    const end = text.indexOf('|', from);
    if (end === -1) break;
    const sentAt = Number(text.slice(from, end));
    if (Number.isFinite(sentAt)) {
      found += 1;
      each(sentAt);
    }
    at = text.indexOf(STAMP, end);
  }
  return found;
}
