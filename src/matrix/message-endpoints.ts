import { createHash } from 'node:crypto';
import type { ChangeOutcome, MessageChange } from '../chat/message-actions.js';
import type { SendOutcome } from '../chat/service.js';
import { badJson, forbidden, frameRefusal, fromRoost, noEncryption, notFound, type MatrixError } from './errors.js';
import { roostBody } from './events.js';
import { memberRoom } from './room-endpoints.js';
import { client, type AuthedRequest, type MatrixRouter } from './router.js';
import type { MatrixContext } from './context.js';
import { obj } from './json-object.js';

/** Where a Matrix txn id is kept: Roost's per-sender clientMsgId, so a retried send is the same message. */
const TXN_PREFIX = 'mx:';
const MAX_CLIENT_MSG_ID = 64;

/** The clientMsgId of a device's transaction; long ids are hashed (they still dedupe, they are not echoed). */
export function txnClientId(deviceId: string, txnId: string): string {
  const plain = `${TXN_PREFIX}${deviceId}:${txnId}`;
  return plain.length <= MAX_CLIENT_MSG_ID ? plain : `${TXN_PREFIX}#${createHash('sha256').update(plain).digest('base64url')}`;
}

const TEXT_TYPES = new Set(['m.text', 'm.notice', 'm.emote']);
/** Messages that carry one uploaded file (`url: mxc://…`): sent as a Roost message with that attachment. */
const MEDIA_TYPES = new Set(['m.image', 'm.file', 'm.video', 'm.audio']);

/** A reply's quoted fallback (older clients put "> <@user> text" lines first): Roost keeps the reply link instead. */
function withoutFallback(body: string): string {
  if (!body.startsWith('> ')) return body;
  const cut = body.indexOf('\n\n');
  return cut === -1 ? body : body.slice(cut + 2);
}

/**
 * Messages: sends (text, notice, emote; replies; edits; reactions),
 * redactions, read receipts and markers, typing. Each is a chat service call:
 * ChatService.send, MessageActions.apply, ChatService.markRead/typing.
 */
export function mountMessageEndpoints(router: MatrixRouter, c: MatrixContext): void {
  const change = (op: MessageChange): Promise<ChangeOutcome> => new Promise((resolve) => c.actions.apply(op, resolve));
  // A send, edit or reaction is checked as the native frame it stands for (reaction keys, lengths, text).
  const refusal = (frame: Record<string, unknown>): MatrixError | undefined => frameRefusal(c.limits, frame);
  const rowSeq = (room: number, eventId: unknown): number | undefined => {
    const ref = typeof eventId === 'string' ? c.ids.event(eventId) : null;
    return ref !== null && ref.kind === 'row' && ref.room === room ? ref.seq : undefined;
  };

  router.authed('PUT', client('rooms/:room/send/:type/:txn'), async (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const type = r.params[1] ?? '';
    const user = r.session.userId;
    const content = obj(r.body);
    if (type === 'm.room.encrypted') return r.ex.fail(noEncryption());
    const relates = obj(content['m.relates_to']);
    if (type === 'm.reaction') {
      const seq = rowSeq(room, relates.event_id);
      if (relates.rel_type !== 'm.annotation' || seq === undefined || typeof relates.key !== 'string') return r.ex.fail(badJson('A reaction relates to an event of this room with m.annotation and a key'));
      const bad = refusal({ type: 'react', room: String(room), seq, emoji: relates.key });
      if (bad !== undefined) return r.ex.fail(bad);
      const out = await change({ k: 'react', room, user, seq, emoji: relates.key, on: true });
      return out.ok ? r.ex.json({ event_id: c.ids.change(room, out.cseq) }) : r.ex.fail(fromRoost(out));
    }
    if (type !== 'm.room.message') return r.ex.fail(forbidden(`${type} events are not kept by this server`));
    const msgtype = content.msgtype;
    if (typeof msgtype !== 'string' || typeof content.body !== 'string') return r.ex.fail(badJson('A message has a msgtype and a body'));
    const isMedia = MEDIA_TYPES.has(msgtype);
    if (!TEXT_TYPES.has(msgtype) && !isMedia) return r.ex.fail(forbidden(`${msgtype} messages are not served by this door yet`));
    if (relates.rel_type === 'm.replace') {
      const seq = rowSeq(room, relates.event_id);
      const fresh = obj(content['m.new_content']);
      if (seq === undefined || typeof fresh.body !== 'string') return r.ex.fail(badJson('An edit relates to a message of this room and carries m.new_content'));
      const edited = roostBody(String(fresh.msgtype ?? msgtype), fresh.body);
      const bad = refusal({ type: 'edit', room: String(room), seq, body: edited });
      if (bad !== undefined) return r.ex.fail(bad);
      const out = await change({ k: 'edit', room, user, seq, body: edited, windowMs: c.actions.editWindowSeconds * 1000 });
      return out.ok ? r.ex.json({ event_id: c.ids.change(room, out.cseq) }) : r.ex.fail(fromRoost(out));
    }
    const replyTo = rowSeq(room, obj(relates['m.in_reply_to']).event_id);
    let body = roostBody(msgtype, replyTo === undefined ? content.body : withoutFallback(content.body));
    let attachments: string[] | undefined;
    if (isMedia) {
      const fileId = typeof content.url === 'string' ? c.ids.fileOfMxc(content.url) : null;
      if (fileId === null) return r.ex.fail(badJson(`An ${msgtype} message carries the mxc:// url of a file uploaded to this server (encrypted files are not kept)`));
      attachments = [fileId];
      // Captions (spec v1.10): with a filename, a body that differs from it is the caption; otherwise the body is the file's name.
      body = typeof content.filename === 'string' && content.filename !== content.body ? body : '';
    }
    const device = r.session.deviceId ?? 'native';
    const extras = { ...(replyTo === undefined ? {} : { replyTo }), ...(attachments === undefined ? {} : { attachments }) };
    const clientMsgId = txnClientId(device, r.params[2] ?? '');
    const bad = refusal({ type: 'send', room: String(room), body, clientMsgId, ...extras });
    if (bad !== undefined) return r.ex.fail(bad);
    const out = await new Promise<SendOutcome>((resolve) => c.chat.send(user, String(room), body, clientMsgId, resolve, extras));
    return out.ok ? r.ex.json({ event_id: c.ids.row(room, out.seq) }) : r.ex.fail(fromRoost(out));
  });

  const redact = async (r: AuthedRequest): Promise<void> => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const ref = c.ids.event(r.params[1] ?? '');
    const user = r.session.userId;
    if (ref === null || ref.room !== room) return r.ex.fail(notFound('Event not found'));
    let out: ChangeOutcome;
    if (ref.kind === 'row') out = await change({ k: 'delete', room, user, seq: ref.seq });
    else if (ref.kind === 'change') {
      const ch = c.store.change(room, ref.cseq);
      if (ch === undefined || ch.kind !== 'react') return r.ex.fail(forbidden('Only messages and reactions can be redacted here'));
      if (ch.user !== user) return r.ex.fail(forbidden('You can only take back your own reactions'));
      out = await change({ k: 'react', room, user, seq: ch.seq, emoji: ch.body ?? '', on: false });
    } else return r.ex.fail(forbidden('State cannot be redacted'));
    return out.ok ? r.ex.json({ event_id: c.ids.change(room, out.cseq) }) : r.ex.fail(fromRoost(out));
  };
  router.authed('PUT', client('rooms/:room/redact/:event/:txn'), redact);
  router.authed('POST', client('rooms/:room/redact/:event'), redact);

  const markRead = (r: AuthedRequest, room: number, eventId: unknown): boolean => {
    const seq = rowSeq(room, eventId);
    if (seq === undefined) return false;
    c.chat.markRead(r.session.userId, room, seq);
    return true;
  };
  router.authed('POST', client('rooms/:room/receipt/:type/:event'), (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const type = r.params[1] ?? '';
    if (type !== 'm.read' && type !== 'm.read.private' && type !== 'm.fully_read') return r.ex.fail(badJson(`Unknown receipt type ${type}`));
    if (!markRead(r, room, r.params[2])) return r.ex.fail(notFound('Event not found'));
    r.ex.json({});
  });
  router.authed('POST', client('rooms/:room/read_markers'), (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const b = obj(r.body);
    for (const key of ['m.fully_read', 'm.read', 'm.read.private']) if (b[key] !== undefined) markRead(r, room, b[key]);
    r.ex.json({});
  });

  router.authed('PUT', client('rooms/:room/typing/:user'), (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    if (c.ids.localpart(r.params[1] ?? '') !== r.session.name.toLowerCase()) return r.ex.fail(forbidden('You can only set your own typing state'));
    const b = obj(r.body);
    if (typeof b.typing !== 'boolean') return r.ex.fail(badJson('typing must be true or false'));
    const timeout = typeof b.timeout === 'number' ? Math.min(Math.max(b.timeout, 1000), 120_000) : 30_000;
    c.chat.typing(r.session.userId, room, b.typing, c.now() + timeout);
    r.ex.json({});
  });
}
