import { UNPLACED_ROOM } from '../store/files/file-rows.js';
import type { DownloadRow } from '../store/read/change-reader.js';
import type { Done, NewFile, WriteFailed } from '../store/write/write-ops.js';
import type { Membership } from './membership.js';
import { mayFetchFile } from './policy.js';
import type { WriteRunner } from './ports.js';
import { notMember, type Failure } from './replies.js';
import { parseRoomId } from './service.js';

/** An uploaded file as the store keeps it. */
export type StoredFile = DownloadRow;

/** What the file rules read of the store. */
export interface FileRecords {
  file(id: string): StoredFile | undefined;
  /** True when some message from seq `fromSeq` on that is not deleted carries the file. */
  postedFrom(id: string, fromSeq: number): boolean;
  /** Bytes of files a user has stored (the quota's measure; the writer checks again). */
  usedBytes(user: number): number;
}

export interface AccountStatus {
  /** Whether the user exists and is not disabled. */
  isActiveUser(user: number): boolean;
}

/**
 * Where the bytes live: content-addressed blobs, placed and released in the
 * order the writer commits their rows (store/files/blob-store.ts).
 */
export interface BlobSpace {
  /** Empties the upload scratch folder (uploads cut off by a crash). */
  prepare(): void;
  newTempPath(): string;
  place(tmp: string, sha: string, tmpThumb: string | null): void;
  placed(sha: string, committed: boolean): void;
  bytesPath(sha: string, thumb: boolean): string;
  /** Removes the bytes of contents the writer reported unreferenced (checked again first). */
  release(shas: readonly string[]): number;
}

export interface FilesDeps {
  records: FileRecords;
  accounts: AccountStatus;
  membership: Membership;
  writer: WriteRunner;
}

const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export type UploadRoom = { ok: true; room: number } | Failure;

/**
 * Who may upload and fetch which file, for every door that serves files. The
 * decision is policy.ts's `mayFetchFile`; this gathers its facts.
 */
export class Files {
  constructor(private readonly deps: FilesDeps) {}

  /** The room an upload goes to, when the user is a member of it; the same refusal as for a room that does not exist. */
  uploadRoom(user: number, room: string): UploadRoom {
    const roomId = parseRoomId(room);
    if (roomId === null || !this.deps.membership.isMember(roomId, user)) return notMember(room.slice(0, 64));
    return { ok: true, room: roomId };
  }

  /** The room of an upload that names none (the Matrix door's): the first message that carries it places it. */
  static readonly unplaced = UNPLACED_ROOM;

  /** Whether `adding` more bytes would take the user past `quota` (0: no quota). */
  overQuota(user: number, adding: number, quota: number): boolean {
    return quota > 0 && this.deps.records.usedBytes(user) + adding > quota;
  }

  isEnabled(user: number): boolean {
    return this.deps.accounts.isActiveUser(user);
  }

  /**
   * The files this user may fetch now, one id at a time (a links request asks
   * about many: the account is read once). Unknown and not-yours are both
   * undefined, so file ids cannot be probed.
   */
  visibleTo(user: number): (id: string) => StoredFile | undefined {
    const enabled = this.isEnabled(user);
    const { records, membership } = this.deps;
    return (id) => {
      const row = FILE_ID.test(id) ? records.file(id) : undefined;
      if (row === undefined) return undefined;
      const verdict = mayFetchFile({
        member: membership.isMember(row.room_id, user),
        enabled,
        uploader: row.uploader_id === user,
        unplaced: row.room_id === UNPLACED_ROOM,
        // A getter: the rule reads it only when the others have not decided (one query saved per download).
        get posted() {
          return records.postedFrom(row.id, membership.firstSeq(row.room_id, user));
        },
      });
      return verdict.ok ? row : undefined;
    };
  }

  /** Records an upload whose bytes are in place; refused past `quota` bytes for its uploader. */
  record(file: NewFile, quota: number): Promise<Done | WriteFailed> {
    return this.deps.writer.run({ k: 'file', file, quota });
  }
}
