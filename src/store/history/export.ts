import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { RoostError } from '../../protocol/errors.js';
import { findRoom } from '../admin/admin.js';
import { cliActor, recordAudit, type Actor } from './audit.js';
import { GENESIS, hex } from './chain.js';
import { openReadOnly, openWritable, type Db } from '../db/database.js';
import {
  CSV_COLUMNS, csvLine, htmlEnd, htmlMessage, htmlStart, jsonLine, type ExportFormat,
} from './export-format.js';
import { EXPORT_MESSAGES_SQL, ExportRows, type ExportMessageRow } from './export-rows.js';

export interface ExportRequest {
  room: string;
  /** Inclusive, ms since the epoch. */
  from?: number;
  /** Exclusive, ms since the epoch. */
  to?: number;
  format: ExportFormat;
}

export interface ExportManifest {
  format: ExportFormat;
  file: string;
  bytes: number;
  sha256: string;
  room: { id: string; name: string; kind: string };
  period: { from: string | null; to: string | null };
  exportedAt: string;
  count: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The chain hash the first exported message links to: lets the export be verified on its own. */
  chainBefore: string | null;
  firstHash: string | null;
  lastHash: string | null;
  /** The room's newest chain hash when the export ran. */
  roomHead: string;
  /** Lowest seq still kept in the room (retention). */
  horizon: number;
  members: Array<{ id: string; name: string; joinedAt: string }>;
  membershipChanges: Array<{ ts: string; user: string; change: 'added' | 'removed' }>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const FLUSH_BYTES = 256 * 1024;

/**
 * `2024-05-01` (UTC midnight) or any ISO 8601 date-time, UTC unless it names an offset (Date.parse
 * would read one without as the machine's local time); a date-only `--to` means the end of that day.
 */
export function parseDate(text: string, endOfDay: boolean): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const noOffset = /T[\d:.]+$/.test(text);
  const ms = Date.parse(dateOnly ? `${text}T00:00:00Z` : noOffset ? `${text}Z` : text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new RoostError('bad_request', `"${text}" is not a date: use YYYY-MM-DD or an ISO 8601 date-time such as 2024-05-01T12:00:00Z`);
  }
  return dateOnly && endOfDay ? ms + 24 * 60 * 60 * 1000 : ms;
}

/** Writes through a SHA-256 and a byte count, in large chunks, waiting for `drain`: memory stays flat. */
class HashingSink {
  private readonly hash = createHash('sha256');
  private parts: string[] = [];
  private pending = 0;
  bytes = 0;
  constructor(private readonly out: Writable) {}

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    this.hash.update(buf);
    this.bytes += buf.length;
    if (!this.out.write(buf)) await once(this.out, 'drain');
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Streams one room's messages over a period to `out`, from a read
 * transaction (a consistent snapshot; the server keeps writing), and returns
 * the manifest. Rows come from iterate(), one at a time.
 */
export async function streamExport(db: Db, req: ExportRequest, out: Writable, fileName: string): Promise<ExportManifest> {
  const room = findRoom(db, req.room);
  const names = new Map<number, string>();
  for (const u of db.prepare('SELECT id, name FROM users').all() as Array<{ id: number; name: string }>) names.set(u.id, u.name);
  const from = req.from ?? 0;
  const to = req.to ?? Number.MAX_SAFE_INTEGER;
  const members = (db.prepare('SELECT user_id, joined_at FROM members WHERE room_id = ? ORDER BY joined_at, user_id').all(room.id) as Array<{ user_id: number; joined_at: number }>)
    .map((m) => ({ id: String(m.user_id), name: names.get(m.user_id) ?? `user ${m.user_id}`, joinedAt: iso(m.joined_at) }));
  const changes = (db.prepare(`SELECT kind, user_id, ts FROM events WHERE room_id = ? AND kind IN ('member_added', 'member_removed')
      AND ts >= ? AND ts < ? ORDER BY id`).all(room.id, from, to) as Array<{ kind: string; user_id: number; ts: number }>)
    .map((e) => ({ ts: iso(e.ts), user: names.get(e.user_id) ?? `user ${e.user_id}`, change: e.kind === 'member_added' ? 'added' as const : 'removed' as const }));
  const cp = db.prepare('SELECT through_seq, hash FROM purge_checkpoints WHERE room_id = ?').get(room.id) as { through_seq: number; hash: Buffer } | undefined;
  const head = db.prepare('SELECT hash FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT 1').get(room.id) as { hash: Buffer | null } | undefined;
  const period = { from: req.from === undefined ? null : iso(req.from), to: req.to === undefined ? null : iso(req.to) };
  const exportedAt = iso(Date.now());

  const sink = new HashingSink(out);
  if (req.format === 'csv') await sink.write(`${CSV_COLUMNS.join(',')}\r\n`);
  if (req.format === 'html') {
    await sink.write(htmlStart({
      roomName: room.name, roomId: String(room.id), exportedAt,
      period: `${period.from ?? 'the beginning'} to ${period.to ?? 'now'}`,
      members: members.map((m) => ({ name: m.name, joinedAt: m.joinedAt })),
      changes: changes.map((c) => ({ ts: c.ts, name: c.user, change: c.change === 'added' ? 'joined' : 'left' })),
    }));
  }
  const line = req.format === 'csv' ? csvLine : req.format === 'html' ? htmlMessage : jsonLine;
  let count = 0;
  let first: ExportMessageRow | undefined;
  let last: ExportMessageRow | undefined;
  const reader = new ExportRows(db, room.id, room.name, names);
  const rows = db.prepare(EXPORT_MESSAGES_SQL).iterate(room.id, from, to) as IterableIterator<ExportMessageRow>;
  for (const r of rows) {
    first ??= r;
    last = r;
    count++;
    await sink.write(line(reader.row(r)));
  }
  if (req.format === 'html') await sink.write(htmlEnd(count, hex(first?.hash), hex(last?.hash)));
  await sink.flush();

  let chainBefore: string | null = null;
  if (first !== undefined) {
    const prevRow = db.prepare('SELECT hash FROM messages WHERE room_id = ? AND seq = ?').get(room.id, first.seq - 1) as { hash: Buffer | null } | undefined;
    chainBefore = prevRow !== undefined ? hex(prevRow.hash)
      : cp !== undefined && cp.through_seq === first.seq - 1 ? hex(cp.hash)
      : first.seq === 1 ? hex(GENESIS) : null;
  }
  return {
    format: req.format, file: fileName, bytes: sink.bytes, sha256: sink.digest(),
    room: { id: String(room.id), name: room.name, kind: room.kind }, period, exportedAt, count,
    firstSeq: first?.seq ?? null, lastSeq: last?.seq ?? null, chainBefore,
    firstHash: first === undefined ? null : hex(first.hash), lastHash: last === undefined ? null : hex(last.hash),
    roomHead: hex(head?.hash ?? cp?.hash ?? GENESIS), horizon: (cp?.through_seq ?? 0) + 1, members, membershipChanges: changes,
  };
}

export const manifestPath = (file: string): string => `${file}.manifest.json`;

/**
 * The `roost export` command's work: to a file (written as FILE.partial, then
 * renamed, so a failed export never leaves a plausible-looking file) with its
 * manifest beside it, or to a stream; recorded in the audit log.
 */
export async function runExport(dataDir: string, req: ExportRequest, target: { file: string } | { stream: Writable }, actor: Actor = cliActor()): Promise<ExportManifest> {
  const db = openReadOnly(dataDir);
  let manifest: ExportManifest;
  try {
    if ('file' in target) {
      const partial = `${target.file}.partial`;
      const out = createWriteStream(partial, { mode: 0o600, highWaterMark: 1024 * 1024 });
      try {
        const failed = new Promise<never>((_, reject) => out.once('error', reject));
        manifest = await Promise.race([streamExport(db, req, out, target.file), failed]);
        out.end();
        await Promise.race([once(out, 'close'), failed]);
      } catch (err) {
        out.destroy();
        rmSync(partial, { force: true });
        throw err;
      }
      renameSync(partial, target.file);
      writeFileSync(manifestPath(target.file), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    } else {
      manifest = await streamExport(db, req, target.stream, '-');
    }
  } finally {
    db.close();
  }
  const adminDb = openWritable(dataDir);
  try {
    recordAudit(adminDb, actor, 'export', {
      room: `${manifest.room.name} (${manifest.room.id})`, format: manifest.format, file: manifest.file, from: manifest.period.from, to: manifest.period.to,
      count: manifest.count, sha256: manifest.sha256, lastHash: manifest.lastHash,
    });
  } finally {
    adminDb.close();
  }
  return manifest;
}
