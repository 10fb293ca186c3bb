import type { WriteOp } from './write-ops.js';

/**
 * What one queued write holds besides its text: the op object, its callback
 * closure and the frame it is answered with. A rough figure on purpose: the
 * bound it feeds is about megabytes, and this runs for every message.
 */
const OP_OVERHEAD_BYTES = 256;
/** An attachment is a file id (a short string) in an array. */
const ATTACHMENT_BYTES = 64;
/** One [user, at] pair of a `seen` write. */
const SEEN_ENTRY_BYTES = 48;
/** Audit details are small objects written by the server itself (scheduled backups). */
const AUDIT_BYTES = 2048;

/**
 * Estimated memory of a write while it waits: strings count two bytes per
 * UTF-16 unit. Reads lengths only (no JSON.stringify on the per-message path).
 */
export function writeOpBytes(op: WriteOp): number {
  switch (op.k) {
    case 'send':
      return OP_OVERHEAD_BYTES + op.body.length * 2 + (op.attachments === undefined ? 0 : op.attachments.length * ATTACHMENT_BYTES);
    case 'edit':
      return OP_OVERHEAD_BYTES + op.body.length * 2;
    case 'seen':
      return OP_OVERHEAD_BYTES + op.users.length * SEEN_ENTRY_BYTES;
    case 'audit':
      return OP_OVERHEAD_BYTES + AUDIT_BYTES;
    default:
      return OP_OVERHEAD_BYTES;
  }
}

/** The ids a write carries, for the log line of a failed callback (never its body). */
export function writeOpIds(op: WriteOp): Record<string, string | number> {
  const ids: Record<string, string | number> = { op: op.k };
  if ('room' in op) ids.room = op.room;
  if ('user' in op) ids.user = op.user;
  if ('clientMsgId' in op) ids.clientMsgId = op.clientMsgId;
  if ('seq' in op) ids.seq = op.seq;
  if (op.k === 'file') ids.file = op.file.id;
  return ids;
}
