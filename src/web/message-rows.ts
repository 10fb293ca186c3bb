import { dayKey } from './format.js';
import type { WireMessage } from './protocol.js';

/** What the conversation view draws: day headers, the unread line, room changes, and runs of one sender's messages. */
export type Row =
  | { kind: 'day'; key: string; ts: number }
  | { kind: 'divider'; key: string }
  | { kind: 'event'; key: string; m: WireMessage }
  | { kind: 'group'; key: string; from: string; messages: WireMessage[] };

/** Messages from one sender closer together than this join one group under one name and time. */
const GROUP_GAP_MS = 5 * 60 * 1000;

export function buildRows(messages: readonly WireMessage[], dividerAfter: number | null): Row[] {
  const rows: Row[] = [];
  let group: Extract<Row, { kind: 'group' }> | null = null;
  let day = '';
  let prevTs = 0;
  for (const m of messages) {
    const d = dayKey(m.ts);
    let split = false;
    if (d !== day) {
      rows.push({ kind: 'day', key: `day-${d}`, ts: m.ts });
      day = d;
      split = true;
    }
    if (dividerAfter !== null && m.seq === dividerAfter + 1) {
      rows.push({ kind: 'divider', key: 'divider' });
      split = true;
    }
    if (m.event !== undefined) {
      // A room change is a line of its own; the messages after it start a new group.
      rows.push({ kind: 'event', key: `e-${m.seq}`, m });
      group = null;
      continue;
    }
    if (split || group === null || group.from !== m.from || m.ts - prevTs > GROUP_GAP_MS) {
      group = { kind: 'group', key: `g-${m.seq}`, from: m.from, messages: [] };
      rows.push(group);
    }
    group.messages.push(m);
    prevTs = m.ts;
  }
  return rows;
}

/**
 * Where each other member's read marker falls in the window: seq → the ids
 * whose last read message is that one. Markers before the window, and a marker
 * on the reader's own message, are not shown.
 */
export function seenAt(messages: readonly WireMessage[], receipts: Readonly<Record<string, number>>): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const first = messages[0]?.seq;
  const last = messages[messages.length - 1]?.seq;
  if (first === undefined || last === undefined) return out;
  for (const [user, seq] of Object.entries(receipts)) {
    if (seq < first) continue;
    const at = Math.min(seq, last);
    // The window is contiguous, so the message at `at` is found by offset. Nobody needs
    // telling that the author has seen their own message.
    if (messages[at - first]?.from === user) continue;
    const list = out.get(at);
    if (list === undefined) out.set(at, [user]);
    else list.push(user);
  }
  return out;
}
