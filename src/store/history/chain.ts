import { createHash } from 'node:crypto';

/**
 * The tamper-evident chains. Each message row stores SHA-256 over the hash of
 * the room's previous message and this message's canonical fields; each audit
 * row does the same over the previous audit row. Changing, inserting or
 * removing a row breaks every link after it, unless every later hash is
 * rewritten too, which is why the head hashes are also printed by `verify`,
 * written into export manifests and into the audit log: copies kept elsewhere
 * anchor the chain.
 *
 * Canonical form (documented in docs/history.md so it can be recomputed with
 * any tool): the UTF-8 bytes of a JSON array with no whitespace,
 *   message: [roomId, seq, msgId, senderId, clientMsgId, ts, body]
 *            or, when the message has extras (replyTo, attachments, mentions; schema 4),
 *            [roomId, seq, msgId, senderId, clientMsgId, ts, body, extra] with extra the
 *            stored JSON text, so rows without extras hash exactly as before
 *   change:  see changeHash below (the per-room change log)
 *   audit:   [id, ts, actor, actorName, osUser, action, details]
 * hashed after the 32 bytes of the previous hash (32 zero bytes for the first).
 */

export const GENESIS: Buffer = Buffer.alloc(32);

export interface ChainedMessage {
  id: number;
  room_id: number;
  seq: number;
  sender_id: number;
  client_msg_id: string;
  body: string;
  ts: number;
  /** Replies, attachments, mentions as stored (JSON text); null or absent for a plain message. */
  extra?: string | null;
}

export interface ChainedAudit {
  id: number;
  ts: number;
  actor: string;
  actor_name: string;
  os_user: string;
  action: string;
  details: string;
}

export function messageHash(prev: Buffer, m: ChainedMessage): Buffer {
  const fields: Array<string | number> = [m.room_id, m.seq, m.id, m.sender_id, m.client_msg_id, m.ts, m.body];
  if (m.extra !== undefined && m.extra !== null) fields.push(m.extra);
  return createHash('sha256').update(prev).update(JSON.stringify(fields)).digest();
}

export interface ChainedChange {
  room_id: number;
  cseq: number;
  seq: number;
  kind: string;
  user_id: number;
  ts: number;
  payload_hash: Buffer;
  target_hash: Buffer;
}

/**
 * A change (edit, delete, react, unreact) chained over the room's previous
 * change: [roomId, cseq, seq, kind, userId, ts, payloadHash hex, targetHash hex].
 * The payload (edit text, emoji) enters by its SHA-256, so a superseded edit's
 * text can be scrubbed by retention while the chain still verifies.
 */
export function changeHash(prev: Buffer, c: ChainedChange): Buffer {
  const canonical = JSON.stringify([c.room_id, c.cseq, c.seq, c.kind, c.user_id, c.ts, c.payload_hash.toString('hex'), c.target_hash.toString('hex')]);
  return createHash('sha256').update(prev).update(canonical).digest();
}

export const payloadHash = (text: string | null): Buffer => createHash('sha256').update(text ?? '').digest();

export function auditHash(prev: Buffer, a: ChainedAudit): Buffer {
  const canonical = JSON.stringify([a.id, a.ts, a.actor, a.actor_name, a.os_user, a.action, a.details]);
  return createHash('sha256').update(prev).update(canonical).digest();
}

export const hex = (b: Buffer | null | undefined): string => (b === null || b === undefined ? '' : b.toString('hex'));
