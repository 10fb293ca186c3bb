import type { Statement } from 'better-sqlite3';
import { encodeFrame } from '../../protocol/server-frames.js';
import { changeHash, GENESIS, payloadHash } from '../history/chain.js';
import type { Db } from '../db/database.js';
import type { FileRows } from '../files/file-rows.js';
import type { SendExtras } from './message-extras.js';
import { indexText } from '../search/search-text.js';
import { isEntryExtra } from './room-timeline.js';
import type { RoomRules } from './room-rules.js';
import type { ChangeDone, ChangeOp, Done, ScrubDone, WriteFailed } from './write-ops.js';

interface TargetRow { id: number; sender_id: number; ts: number; hash: Buffer | null; extra: string | null }
interface StateRow { body: string | null; edited_at: number | null; deleted_at: number | null; scrubbed: number }

const MAX_REACTIONS_PER_USER = 20;
const notMember: WriteFailed = { ok: false, code: 'forbidden', message: 'not a member of this room' };
const roomEvent: WriteFailed = { ok: false, code: 'forbidden', reason: 'room_event', message: 'a room change in the timeline cannot be edited, deleted or reacted to' };
const noMessage = (seq: number): WriteFailed => ({ ok: false, code: 'not_found', message: `no message ${seq} in this room` });

/**
 * Edits, deletions and reactions, applied on the writer thread inside the
 * batch's transaction. Message rows are never rewritten for what clients see:
 * each change is a row of the room's change log, with its own gap-free
 * sequence (cseq, `rooms.last_cseq` bumped once per batch) and its own hash
 * chain, and `message_state` / `reactions` hold the visible result.
 *
 * Hidden text — a message's original body once edited or deleted, the text of
 * superseded edits, a deleted message's attachments — is scrubbed in the same
 * transaction unless the room is under legal hold; the `scrub` op (run by the
 * retention job) removes what a hold kept once the hold is cleared. A scrubbed
 * message row keeps its chain hash, which the change chain vouches for.
 */
export class ChangeApplier {
  private readonly lastCseq = new Map<number, number>();
  private readonly lastHash = new Map<number, Buffer>();
  private readonly dirty = new Map<number, number>();
  private readonly s: ReturnType<typeof statements>;

  /** `mentions`: the send path's resolver, so an edit mentions people exactly as a send would. */
  /** `mayDelete`: the room rule (chat/policy.ts via writer-thread.ts); absent, only the sender or a server admin deletes. */
  constructor(
    db: Db, private readonly files: FileRows, private readonly mentions: Pick<SendExtras, 'mentions' | 'recordMentions'>,
    private readonly mayDelete?: RoomRules['mayDelete'],
  ) {
    this.s = statements(db);
  }

  apply(op: ChangeOp, now: number): ChangeDone | ScrubDone | Done | WriteFailed {
    switch (op.k) {
      case 'edit': return this.edit(op, now);
      case 'delete': return this.remove(op, now);
      case 'react': return this.react(op, now);
      case 'notify': {
        const r = this.s.notify.run(op.muted === undefined ? null : op.muted ? 1 : 0, op.level ?? null, op.room, op.user);
        return r.changes === 0 ? notMember : { ok: true };
      }
      case 'scrub': return this.scrubRoom(op.room, op.max);
      case 'seen':
        for (const [user, at] of op.users) this.s.seen.run(at, user);
        return { ok: true };
      case 'file': return this.files.insertFile(op.file, op.quota, now);
      case 'gc-files': return this.files.collect(op);
    }
  }

  /** Writes each changed room's last cseq once per batch. */
  flush(): void {
    for (const [room, cseq] of this.dirty) this.s.setCseq.run(cseq, room);
    this.dirty.clear();
  }

  /** After a failed batch: nothing cached may outlive the rollback. */
  reset(): void {
    this.lastCseq.clear();
    this.lastHash.clear();
    this.dirty.clear();
  }

  private edit(op: Extract<ChangeOp, { k: 'edit' }>, now: number): ChangeDone | WriteFailed {
    const t = this.target(op.room, op.user, op.seq);
    if ('ok' in t) return t;
    if (t.msg.sender_id !== op.user) return { ok: false, code: 'forbidden', message: 'only the sender may edit a message' };
    if (now - t.msg.ts > op.windowMs) return { ok: false, code: 'forbidden', message: `messages can be edited for ${Math.round(op.windowMs / 60000)} minutes after sending` };
    // The text its last edit already shows (a retry after a lost reply): answered with that edit, nothing appended.
    if (t.state?.edited_at != null && t.state.body === op.body) {
      const last = this.lastChange(op.room, op.seq, 'edit', op.user, op.body);
      if (last !== undefined) return { ok: true, cseq: last, ts: t.state.edited_at };
    }
    const cseq = this.append(op.room, op.seq, 'edit', op.user, op.body, t.msg.hash, now);
    this.s.setEdited.run(op.room, op.seq, op.body, now);
    this.s.unindex.run(t.msg.id);
    this.s.index.run(t.msg.id, indexText(op.body));
    this.scrubIfFree(op.room, op.seq, false);
    // Mentions follow the text: "@bbo" corrected to "@bob" mentions bob, and a name edited
    // out no longer counts as a mention of its owner.
    const mentioned = this.mentions.mentions(op.body, op.room);
    this.s.dropMentions.run(op.room, op.seq);
    this.mentions.recordMentions(op.room, op.seq, op.user, mentioned);
    const frame = encodeFrame({
      type: 'edited', room: String(op.room), seq: op.seq, body: op.body, editedAt: now, cseq,
      ...(mentioned.length > 0 ? { mentions: mentioned.map(String) } : {}),
    });
    return { ok: true, cseq, ts: now, frame, ...(mentioned.length > 0 ? { mentions: mentioned } : {}) };
  }

  private remove(op: Extract<ChangeOp, { k: 'delete' }>, now: number): ChangeDone | WriteFailed {
    const t = this.target(op.room, op.user, op.seq, true);
    if ('ok' in t) return t;
    if (t.msg.sender_id !== op.user && !this.othersMayDelete(op.room, op.user, t.msg)) {
      return { ok: false, code: 'forbidden', reason: 'not_own_message', message: 'only the sender, a moderator or an admin may delete a message' };
    }
    // Deleting twice is not an error (a retry after a lost reply): nothing changes.
    if (t.state?.deleted_at != null) return { ok: true, cseq: this.lastChange(op.room, op.seq, 'delete') ?? this.cseqOf(op.room), ts: t.state.deleted_at };
    const cseq = this.append(op.room, op.seq, 'delete', op.user, null, t.msg.hash, now);
    this.s.setDeleted.run(op.room, op.seq, now);
    this.s.unindex.run(t.msg.id);
    this.s.dropMentions.run(op.room, op.seq);
    this.s.dropReactions.run(op.room, op.seq);
    const freed = this.scrubIfFree(op.room, op.seq, true);
    return { ok: true, cseq, ts: now, frame: encodeFrame({ type: 'deleted', room: String(op.room), seq: op.seq, cseq }), freed };
  }

  private react(op: Extract<ChangeOp, { k: 'react' }>, now: number): ChangeDone | WriteFailed {
    const t = this.target(op.room, op.user, op.seq);
    if ('ok' in t) return t;
    if (op.on) {
      // A reaction already there is a repeat, answered as such even at the cap.
      if (this.s.hasReaction.get(op.room, op.seq, op.emoji, op.user) !== undefined) return this.repeated(op, 'react', now);
      if (((this.s.reactionsBy.get(op.room, op.seq, op.user) as { n: number }).n) >= MAX_REACTIONS_PER_USER) {
        return { ok: false, code: 'too_large', message: `at most ${MAX_REACTIONS_PER_USER} reactions per person on one message` };
      }
      this.s.addReaction.run(op.room, op.seq, op.emoji, op.user);
    } else if (this.s.removeReaction.run(op.room, op.seq, op.emoji, op.user).changes === 0) {
      return this.repeated(op, 'unreact', now);
    }
    const cseq = this.append(op.room, op.seq, op.on ? 'react' : 'unreact', op.user, op.emoji, t.msg.hash, now);
    const frame = encodeFrame({ type: 'reaction', room: String(op.room), seq: op.seq, emoji: op.emoji, user: String(op.user), on: op.on, cseq });
    return { ok: true, cseq, ts: now, frame };
  }

  /** Deleting another's message: a server admin, or (with the room rules) a moderator or owner of a group room. */
  private othersMayDelete(room: number, user: number, msg: TargetRow): boolean {
    const serverRole = (this.s.role.get(user) as { role: 'admin' | 'member' } | undefined)?.role ?? 'member';
    if (this.mayDelete === undefined) return serverRole === 'admin';
    const r = this.s.roomRole.get(room, user) as { kind: 'group' | 'direct'; role: 'owner' | 'moderator' | 'member' } | undefined;
    if (r === undefined) return false;
    // Counts do not matter to this rule; the standing and the room's kind do.
    const verdict = this.mayDelete({ kind: r.kind, joinRule: 'invite', owners: 0, joined: 0 }, { state: 'joined', role: r.role }, user, serverRole,
      { sender: msg.sender_id, ts: msg.ts, deleted: false });
    return verdict.ok;
  }

  /** The message a change applies to, checked: member, exists, not deleted (unless `deletedOk`). */
  private target(room: number, user: number, seq: number, deletedOk = false): { msg: TargetRow; state: StateRow | undefined } | WriteFailed {
    if (this.s.member.get(room, user) === undefined) return notMember;
    const msg = this.s.target.get(room, seq) as TargetRow | undefined;
    if (msg === undefined || msg.hash === null) return noMessage(seq);
    if (isEntryExtra(msg.extra)) return roomEvent;
    const state = this.s.state.get(room, seq) as StateRow | undefined;
    if (!deletedOk && state?.deleted_at != null) return noMessage(seq);
    return { msg, state };
  }

  /**
   * A reaction already as asked (a retry after a lost reply): answered with the change that made it so,
   * never the room's newest (another member's: a Matrix client would take it for its own event).
   */
  private repeated(op: Extract<ChangeOp, { k: 'react' }>, kind: 'react' | 'unreact', now: number): ChangeDone {
    return { ok: true, cseq: this.lastChange(op.room, op.seq, kind, op.user, op.emoji) ?? this.cseqOf(op.room), ts: now };
  }

  /** The newest change of this kind to one message (by `user`, with `body`, when given). */
  private lastChange(room: number, seq: number, kind: string, user?: number, body?: string): number | undefined {
    const row = this.s.lastChange.get({ room, seq, kind, user: user ?? null, body: body ?? null }) as { c: number | null };
    return row.c ?? undefined;
  }

  private cseqOf(room: number): number {
    const cached = this.lastCseq.get(room);
    if (cached !== undefined) return cached;
    const n = (this.s.roomCseq.get(room) as { last_cseq: number } | undefined)?.last_cseq ?? 0;
    this.lastCseq.set(room, n);
    return n;
  }

  private hashOf(room: number): Buffer {
    const cached = this.lastHash.get(room);
    if (cached !== undefined) return cached;
    const row = (this.s.roomHash.get(room) ?? this.s.checkpoint.get(room)) as { hash: Buffer } | undefined;
    const hash = row?.hash ?? GENESIS;
    this.lastHash.set(room, hash);
    return hash;
  }

  private append(room: number, seq: number, kind: string, user: number, body: string | null, target: Buffer | null, now: number): number {
    const cseq = this.cseqOf(room) + 1;
    const payload = payloadHash(body);
    const targetHash = target ?? GENESIS;
    const hash = changeHash(this.hashOf(room), { room_id: room, cseq, seq, kind, user_id: user, ts: now, payload_hash: payload, target_hash: targetHash });
    this.s.insertChange.run(room, cseq, seq, kind, user, body, payload, targetHash, now, hash);
    this.lastCseq.set(room, cseq);
    this.lastHash.set(room, hash);
    this.dirty.set(room, cseq);
    return cseq;
  }

  private onHold(room: number): boolean {
    return ((this.s.hold.get(room) as { legal_hold: number } | undefined)?.legal_hold ?? 0) !== 0;
  }

  /** Scrubs one message's hidden text now unless the room is under legal hold; returns freed contents. */
  private scrubIfFree(room: number, seq: number, deleted: boolean): string[] {
    if (this.onHold(room)) return [];
    return this.scrubOne(room, seq, deleted);
  }

  private scrubOne(room: number, seq: number, deleted: boolean): string[] {
    this.s.blankBody.run(room, seq);
    let freed: string[] = [];
    if (deleted) {
      this.s.blankAllEdits.run(room, seq);
      // The files are released below: their names and sizes go with them, as the text does (the hash is the change log's).
      this.s.dropAttachments.run(room, seq);
      freed = this.files.forget(this.files.detach(room, seq, seq));
    } else {
      const last = (this.s.lastEdit.get(room, seq) as { c: number | null }).c ?? 0;
      this.s.blankEdits.run(room, seq, last);
    }
    this.s.markScrubbed.run(room, seq);
    return freed;
  }

  /** Hidden text a legal hold kept, once the hold is gone: at most `max` messages per op. */
  private scrubRoom(room: number, max: number): ScrubDone {
    if (this.onHold(room)) return { ok: true, scrubbed: 0, more: false, freed: [] };
    const rows = this.s.unscrubbed.all(room, max + 1) as Array<{ seq: number; deleted_at: number | null }>;
    const freed: string[] = [];
    let n = 0;
    for (const r of rows) {
      if (n === max) break;
      freed.push(...this.scrubOne(room, r.seq, r.deleted_at !== null));
      n++;
    }
    return { ok: true, scrubbed: n, more: rows.length > max, freed };
  }
}

const SQL = {
  member: 'SELECT 1 AS one FROM members WHERE room_id = ? AND user_id = ?',
  target: 'SELECT id, sender_id, ts, hash, extra FROM messages WHERE room_id = ? AND seq = ?',
  state: 'SELECT body, edited_at, deleted_at, scrubbed FROM message_state WHERE room_id = ? AND seq = ?',
  roomCseq: 'SELECT last_cseq FROM rooms WHERE id = ?',
  roomHash: 'SELECT hash FROM message_changes WHERE room_id = ? ORDER BY cseq DESC LIMIT 1',
  checkpoint: 'SELECT hash FROM change_checkpoints WHERE room_id = ?',
  insertChange: `INSERT INTO message_changes (room_id, cseq, seq, kind, user_id, body, payload_hash, target_hash, ts, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  setEdited: `INSERT INTO message_state (room_id, seq, body, edited_at, scrubbed) VALUES (?, ?, ?, ?, 0)
      ON CONFLICT(room_id, seq) DO UPDATE SET body = excluded.body, edited_at = excluded.edited_at, scrubbed = 0`,
  setDeleted: `INSERT INTO message_state (room_id, seq, body, deleted_at, scrubbed) VALUES (?, ?, NULL, ?, 0)
      ON CONFLICT(room_id, seq) DO UPDATE SET body = NULL, deleted_at = excluded.deleted_at, scrubbed = 0`,
  unindex: 'DELETE FROM messages_fts WHERE rowid = ?',
  index: 'INSERT INTO messages_fts (rowid, text) VALUES (?, ?)',
  hold: 'SELECT legal_hold FROM retention WHERE room_id = ?',
  blankBody: "UPDATE messages SET body = '' WHERE room_id = ? AND seq = ?",
  dropAttachments: "UPDATE messages SET extra = json_remove(extra, '$.attachments') WHERE room_id = ? AND seq = ? AND extra IS NOT NULL",
  blankEdits: "UPDATE message_changes SET body = NULL WHERE room_id = ? AND seq = ? AND kind = 'edit' AND cseq < ?",
  blankAllEdits: "UPDATE message_changes SET body = NULL WHERE room_id = ? AND seq = ? AND kind = 'edit'",
  lastEdit: "SELECT max(cseq) AS c FROM message_changes WHERE room_id = ? AND seq = ? AND kind = 'edit'",
  lastChange: `SELECT max(cseq) AS c FROM message_changes WHERE room_id = @room AND seq = @seq AND kind = @kind
      AND (@user IS NULL OR user_id = @user) AND (@body IS NULL OR body = @body)`,
  markScrubbed: 'UPDATE message_state SET scrubbed = 1 WHERE room_id = ? AND seq = ?',
  unscrubbed: 'SELECT seq, deleted_at FROM message_state WHERE room_id = ? AND scrubbed = 0 LIMIT +?',
  dropMentions: 'DELETE FROM mentions WHERE room_id = ? AND seq = ?',
  dropReactions: 'DELETE FROM reactions WHERE room_id = ? AND seq = ?',
  addReaction: 'INSERT INTO reactions (room_id, seq, emoji, user_id) VALUES (?, ?, ?, ?)',
  removeReaction: 'DELETE FROM reactions WHERE room_id = ? AND seq = ? AND emoji = ? AND user_id = ?',
  reactionsBy: 'SELECT count(*) AS n FROM reactions WHERE room_id = ? AND seq = ? AND user_id = ?',
  hasReaction: 'SELECT 1 AS one FROM reactions WHERE room_id = ? AND seq = ? AND emoji = ? AND user_id = ?',
  setCseq: 'UPDATE rooms SET last_cseq = ? WHERE id = ?',
  notify: 'UPDATE members SET muted = coalesce(?, muted), notify = coalesce(?, notify) WHERE room_id = ? AND user_id = ?',
  role: 'SELECT role FROM users WHERE id = ?',
  roomRole: 'SELECT r.kind, m.role FROM members m JOIN rooms r ON r.id = m.room_id WHERE m.room_id = ? AND m.user_id = ?',
  seen: 'UPDATE users SET last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE id = ?',
} as const;

type StatementName = keyof typeof SQL;

/** Prepared once per connection. */
function statements(db: Db): { [K in StatementName]: Statement } {
  const out = {} as { [K in StatementName]: Statement };
  for (const k of Object.keys(SQL) as StatementName[]) out[k] = db.prepare(SQL[k]);
  return out;
}
