import type { Statement } from 'better-sqlite3';
import { encodeFrame } from '../../protocol/server-frames.js';
import { appendAudit } from '../history/audit.js';
import { GENESIS, messageHash } from '../history/chain.js';
import type { Db } from '../db/database.js';
import { FileRows } from '../files/file-rows.js';
import { AccountWrites } from './account-writes.js';
import { MatrixWrites } from './matrix-writes.js';
import { ChangeApplier } from './message-changes.js';
import { Purger } from '../history/purge.js';
import { indexText } from '../search/search-text.js';
import { SendExtras } from './message-extras.js';
import { ReadMarks } from './read-marks.js';
import { RoomChanges } from './room-changes.js';
import type { FileRules, RoomRules } from './room-rules.js';
import { entryFrame, INSERT_MESSAGE_SQL, timelineEntry } from './room-timeline.js';
import type { RoomEvent } from '../../protocol/frames.js';
import type { ReadDone, SendDone, WriteFailed, WriteOp, WriteResult } from './write-ops.js';

interface MemberRow { read_seq: number }
interface SentRow { id: number; room_id: number; seq: number; ts: number }
interface UnchainedRow { id: number; room_id: number; seq: number; sender_id: number; client_msg_id: string; body: string; ts: number }

const forbidden: WriteFailed = { ok: false, code: 'forbidden', message: 'not a member of this room' };

/**
 * Search-index pages merged per message a commit indexes. FTS5's automerge is off (migration 11):
 * this spreads the same work over every commit, so no one commit pays for a big merge. After
 * 800,000 messages, small commits' p99.9 went 73 → 13-19 ms and their max 116 → 34-51 ms
 * (`node dist/bench/commit-effects.js`); searches were as fast. Edits and purges, which also
 * change the index, are rare beside sends and are merged along with them.
 */
const MERGE_PAGES_PER_MESSAGE = 0.2;

/**
 * Applies a batch of writes in one transaction: the group commit. Runs on the
 * writer thread (or directly in tests). Per-room seq is assigned here, from a
 * cache of each room's last seq, so the seq is gap-free even under concurrent
 * senders; the rooms row is updated once per batch, not once per message.
 * The hash chain is extended here too (one SHA-256 per message, from a cache
 * of each room's last hash), and message ids are assigned here so the hash
 * can cover them without a second write.
 */
export class BatchApplier {
  private readonly lastSeq = new Map<number, number>();
  private readonly lastHash = new Map<number, Buffer>();
  private nextId = 0;
  /** The highest message id when this applier's last batch committed; null before the first. */
  private seenHighest: number | null = null;
  private readonly purger: Purger;
  /** Edits, deletions, reactions, files; replies and mentions of a send. */
  private readonly changes: ChangeApplier;
  private readonly extras: SendExtras;
  /** Room actions; absent when no rules were given (bench set-ups that only send). */
  private readonly roomChanges: RoomChanges | undefined;
  /** Rooms whose last seq moved in the current batch: rooms.last_seq is written once per batch. */
  private readonly dirtyRooms = new Map<number, number>();
  private readonly findByClientId: Statement<[number, string], SentRow>;
  private readonly findMember: Statement<[number, number], MemberRow>;
  private readonly roomLastSeq: Statement<[number], { last_seq: number }>;
  private readonly insertMessage: Statement<[number, number, number, number, string, string, number, Buffer, string | null]>;
  private readonly roomLastHash: Statement<[number], { hash: Buffer | null }>;
  private readonly checkpointHash: Statement<[number], { hash: Buffer }>;
  private readonly highestId: Statement<[], { n: number }>;
  private readonly insertIndex: Statement<[number, string]>;
  private readonly mergeIndex: Statement<[number]>;
  /** Messages added to the search index in the current batch. */
  private indexed = 0;
  private readonly updateRoomSeq: Statement<[number, number]>;
  /** Read markers moved in the current batch, written once each as it commits. */
  private readonly readMarks: ReadMarks;
  private readonly insertToken: Statement<[Buffer, number, number, number, string, string, string | null]>;
  private readonly revokeToken: Statement<[number, Buffer]>;
  private readonly touchToken: Statement<[number, string, number, Buffer]>;
  private readonly rehashPassword: Statement<[string, number, string]>;
  /** Passwords, sessions and profiles people change themselves. */
  private readonly accounts: AccountWrites;
  /** The Matrix door's server name, devices, filters and account data. */
  private readonly matrix: MatrixWrites;

  /**
   * `searchIndex: false` exists for bench/history.ts, which measures what the
   * index costs per message; the server always indexes.
   */
  constructor(private readonly db: Db, private readonly options: { searchIndex?: boolean; rules?: RoomRules; fileRules?: FileRules } = {}) {
    this.findByClientId = db.prepare('SELECT id, room_id, seq, ts FROM messages WHERE sender_id = ? AND client_msg_id = ?');
    this.findMember = db.prepare('SELECT read_seq FROM members WHERE room_id = ? AND user_id = ?');
    this.roomLastSeq = db.prepare('SELECT last_seq FROM rooms WHERE id = ?');
    this.insertMessage = db.prepare(INSERT_MESSAGE_SQL);
    this.roomLastHash = db.prepare('SELECT hash FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT 1');
    this.checkpointHash = db.prepare('SELECT hash FROM purge_checkpoints WHERE room_id = ?');
    // Ids are never reused: purged ids are remembered by their checkpoints.
    this.highestId = db.prepare(`SELECT max(coalesce((SELECT max(id) FROM messages), 0),
      coalesce((SELECT max(through_msg_id) FROM purge_checkpoints), 0)) AS n`);
    this.insertIndex = db.prepare('INSERT INTO messages_fts (rowid, text) VALUES (?, ?)');
    // A positive page count merges only levels with `usermerge` (4) segments or a merge under way.
    this.mergeIndex = db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ?)");
    this.updateRoomSeq = db.prepare('UPDATE rooms SET last_seq = ? WHERE id = ?');
    this.readMarks = new ReadMarks(db);
    this.insertToken = db.prepare('INSERT INTO tokens (hash, user_id, created_at, expires_at, client_ip, device, device_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.revokeToken = db.prepare('UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL');
    this.touchToken = db.prepare('UPDATE tokens SET last_used_at = ?, last_ip = ?, expires_at = max(expires_at, ?) WHERE hash = ? AND revoked_at IS NULL');
    this.rehashPassword = db.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?');
    this.purger = new Purger(db);
    // The file rules alone (fileRules) serve set-ups that attach files but predate the room rules' columns.
    const fileRules = options.fileRules ?? options.rules;
    this.accounts = new AccountWrites(db, fileRules);
    this.matrix = new MatrixWrites(db);
    const files = new FileRows(db, fileRules);
    this.extras = new SendExtras(db, files);
    this.changes = new ChangeApplier(db, files, this.extras, options.rules?.mayDelete);
    this.roomChanges = options.rules === undefined ? undefined
      : new RoomChanges(db, options.rules, (room, actor, event, now) => this.appendEntry(room, actor, event, now), (room) => this.seqOf(room));
    this.chainUnhashed();
  }

  /**
   * All ops commit together or none do. A thrown error (disk full, I/O) fails
   * the whole batch and forgets cached seqs so nothing uncommitted is reused.
   */
  apply(ops: readonly WriteOp[], now: number): WriteResult[] {
    const dirtyRooms = this.dirtyRooms;
    dirtyRooms.clear();
    this.indexed = 0;
    const run = this.db.transaction(() => {
      this.forgetIfWrittenElsewhere();
      const results: WriteResult[] = [];
      for (const op of ops) {
        switch (op.k) {
          case 'send': results.push(this.send(op, now, dirtyRooms)); break;
          case 'read': results.push(this.read(op)); break;
          case 'token':
            this.insertToken.run(Buffer.from(op.hash, 'hex'), op.user, now, op.expiresAt, op.ip, op.device ?? '', op.deviceId ?? null);
            results.push({ ok: true });
            break;
          case 'revoke':
            this.revokeToken.run(now, Buffer.from(op.hash, 'hex'));
            results.push({ ok: true });
            break;
          case 'touch':
            this.touchToken.run(op.usedAt, op.ip, op.expiresAt, Buffer.from(op.hash, 'hex'));
            results.push({ ok: true });
            break;
          case 'rehash':
            this.rehashPassword.run(op.hash, op.user, op.old);
            results.push({ ok: true });
            break;
          case 'password': case 'end-sessions': case 'profile': results.push(this.accounts.apply(op, now)); break;
          case 'matrix-server-name': case 'matrix-filter': case 'matrix-account-data': case 'matrix-device-name':
            results.push(this.matrix.apply(op));
            break;
          case 'purge': results.push(this.purger.purge(op, now)); break;
          case 'audit':
            appendAudit(this.db, op.actor, op.action, op.details, now);
            results.push({ ok: true });
            break;
          case 'edit': case 'delete': case 'react': case 'notify': case 'file': case 'scrub': case 'gc-files': case 'seen':
            results.push(this.changes.apply(op, now));
            break;
          case 'room-create': case 'room-direct': case 'room-invite': case 'room-join': case 'room-leave':
          case 'room-update': case 'room-role': case 'room-remove':
            results.push(this.roomChanges?.apply(op, now) ?? { ok: false, code: 'internal', message: 'room rules are not wired into this writer' });
            break;
        }
      }
      this.changes.flush();
      for (const [room, seq] of dirtyRooms) this.updateRoomSeq.run(seq, room);
      this.readMarks.flush();
      if (this.indexed > 0) this.mergeIndex.run(Math.ceil(this.indexed * MERGE_PAGES_PER_MESSAGE));
      return results;
    });
    try {
      const results = run.immediate();
      this.seenHighest = this.nextId - 1;
      return results;
    } catch (err) {
      dirtyRooms.clear();
      this.seenHighest = null;
      this.lastSeq.clear();
      this.lastHash.clear();
      this.nextId = 0;
      this.changes.reset();
      this.readMarks.reset();
      throw err;
    }
  }

  /**
   * The CLI appends room timeline entries (membership, room changes) on its
   * own connection. Inside this IMMEDIATE transaction nobody else writes, so
   * one look at the highest message id per batch tells whether the cached
   * seqs, hashes and next id still describe the database.
   */
  private forgetIfWrittenElsewhere(): void {
    const highest = this.highestId.get()?.n ?? 0;
    if (this.seenHighest !== null && highest !== this.seenHighest) {
      this.lastSeq.clear();
      this.lastHash.clear();
    }
    this.nextId = highest + 1;
  }

  /** A timeline entry, numbered and chained like a message; never search-indexed. */
  private appendEntry(room: number, actor: number, event: RoomEvent, now: number): { seq: number; frame: string } {
    const last = this.seqOf(room);
    if (last === undefined) throw new Error(`room ${room} does not exist`);
    if (this.nextId === 0) this.nextId = (this.highestId.get()?.n ?? 0) + 1;
    const e = timelineEntry(this.hashOf(room), this.nextId, room, last + 1, actor, event, now);
    this.insertMessage.run(e.id, room, e.seq, actor, e.clientMsgId, '', now, e.hash, e.extra);
    this.nextId = e.id + 1;
    this.lastSeq.set(room, e.seq);
    this.lastHash.set(room, e.hash);
    this.dirtyRooms.set(room, e.seq);
    return { seq: e.seq, frame: entryFrame(e, event) };
  }

  /** The hash the room's next message chains from: its last row, else its purge checkpoint, else genesis. */
  private hashOf(room: number): Buffer {
    const cached = this.lastHash.get(room);
    if (cached !== undefined) return cached;
    const hash = this.roomLastHash.get(room)?.hash ?? this.checkpointHash.get(room)?.hash ?? GENESIS;
    this.lastHash.set(room, hash);
    return hash;
  }

  /**
   * Rows stored before schema 2 have no hash; they are chained once, in seq
   * order, in one transaction. Every later row is chained as it is written,
   * so when the newest row has a hash, every row has one (an O(1) check).
   */
  private chainUnhashed(): void {
    const newest = this.db.prepare('SELECT hash FROM messages ORDER BY id DESC LIMIT 1').get() as { hash: Buffer | null } | undefined;
    if (newest === undefined || newest.hash !== null) return;
    const rows = this.db.prepare('SELECT id, room_id, seq, sender_id, client_msg_id, body, ts, extra FROM messages WHERE hash IS NULL ORDER BY room_id, seq')
      .all() as UnchainedRow[];
    const setHash = this.db.prepare<[Buffer, number]>('UPDATE messages SET hash = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const r of rows) {
        const hash = messageHash(this.hashOf(r.room_id), r);
        setHash.run(hash, r.id);
        this.lastHash.set(r.room_id, hash);
      }
    }).immediate();
    this.lastHash.clear();
  }

  private seqOf(room: number): number | undefined {
    const cached = this.lastSeq.get(room);
    if (cached !== undefined) return cached;
    const row = this.roomLastSeq.get(room);
    if (row === undefined) return undefined;
    this.lastSeq.set(room, row.last_seq);
    return row.last_seq;
  }

  private send(
    op: Extract<WriteOp, { k: 'send' }>,
    now: number,
    dirtyRooms: Map<number, number>,
  ): SendDone | WriteFailed {
    const prior = this.findByClientId.get(op.user, op.clientMsgId);
    if (prior !== undefined) {
      if (prior.room_id !== op.room) {
        return { ok: false, code: 'conflict', message: 'clientMsgId was already used for another room' };
      }
      return { ok: true, seq: prior.seq, msgId: prior.id, ts: prior.ts, duplicate: true };
    }
    if (this.findMember.get(op.room, op.user) === undefined) return forbidden;
    const last = this.seqOf(op.room);
    if (last === undefined) return forbidden;
    const extras = this.extras.prepare(op);
    if ('ok' in extras) return extras;
    const seq = last + 1;
    if (this.nextId === 0) this.nextId = (this.highestId.get()?.n ?? 0) + 1;
    const msgId = this.nextId;
    const hash = messageHash(this.hashOf(op.room), {
      id: msgId, room_id: op.room, seq, sender_id: op.user, client_msg_id: op.clientMsgId, body: op.body, ts: now, extra: extras.json,
    });
    this.insertMessage.run(msgId, op.room, seq, op.user, op.clientMsgId, op.body, now, hash, extras.json);
    this.extras.record(op, seq, extras);
    this.nextId = msgId + 1;
    if (this.options.searchIndex !== false) {
      this.insertIndex.run(msgId, indexText(op.body));
      this.indexed++;
    }
    this.lastSeq.set(op.room, seq);
    this.lastHash.set(op.room, hash);
    dirtyRooms.set(op.room, seq);
    // Sending moves the sender's own read marker: once per batch, not per message.
    this.readMarks.set(op.room, op.user, seq, false);
    const frame = encodeFrame({
      type: 'message', room: String(op.room), seq, msgId: String(msgId), from: String(op.user), body: op.body, ts: now,
      // Lets the sender's other sockets match a broadcast to a send whose ack was lost.
      clientMsgId: op.clientMsgId, ...extras.wire,
    });
    return { ok: true, seq, msgId, ts: now, duplicate: false, frame, mentions: extras.mentioned };
  }

  private read(op: Extract<WriteOp, { k: 'read' }>): ReadDone | WriteFailed {
    const member = this.findMember.get(op.room, op.user);
    if (member === undefined) return forbidden;
    const last = this.seqOf(op.room) ?? 0;
    const current = Math.max(member.read_seq, this.readMarks.pending(op.room, op.user) ?? 0);
    const seq = Math.min(op.seq, last);
    if (seq <= current) return { ok: true, seq: current, moved: false };
    this.readMarks.set(op.room, op.user, seq, true);
    return { ok: true, seq, moved: true };
  }
}
