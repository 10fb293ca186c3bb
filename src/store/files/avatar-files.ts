import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';
import type { FileRules } from '../write/room-rules.js';
import type { WriteFailed } from '../write/write-ops.js';
import { UNPLACED_ROOM } from './file-rows.js';

/**
 * Avatars are uploads like any file, in no room: their `files.room_id` is 0
 * (room ids start at 1), so no message can carry one and the file routes
 * never serve one. A user or room using an avatar holds one of its `refs`,
 * so the orphan collector leaves it alone until it is replaced.
 */
export const AVATAR_ROOM = 0;

/** Writer-thread side: moving the reference from the avatar in use to the new one. */
export class AvatarRefs {
  private readonly file: Statement<[string], { room_id: number; uploader_id: number; thumb: number }>;
  private readonly addRef: Statement<[number, string]>;
  private readonly toAvatar: Statement<[string]>;

  /** `rules`: policy.ts, injected by the writer thread; without them no picture can be set. */
  constructor(db: Db, private readonly rules?: Pick<FileRules, 'mayUseAsAvatar'>) {
    this.file = db.prepare('SELECT room_id, uploader_id, thumb FROM files WHERE id = ?');
    this.addRef = db.prepare('UPDATE files SET refs = refs + ? WHERE id = ?');
    this.toAvatar = db.prepare(`UPDATE files SET room_id = ${AVATAR_ROOM} WHERE id = ? AND room_id = ${UNPLACED_ROOM}`);
  }

  /**
   * Makes `next` the avatar in place of `current` (either may be null).
   * `next` must be an avatar upload of `user`'s, or their Matrix image upload
   * not sent anywhere (which becomes an avatar upload); refused, nothing changes.
   * Call inside the transaction that stores `next` on its user or room.
   */
  swap(current: string | null, next: string | null, user: number): WriteFailed | undefined {
    if (current === next) return undefined;
    if (next !== null) {
      const row = this.file.get(next);
      const facts = { uploader: row?.uploader_id === user, avatarUpload: row?.room_id === AVATAR_ROOM, unplacedImage: row?.room_id === UNPLACED_ROOM && row.thumb === 1 };
      if (row === undefined || this.rules?.mayUseAsAvatar(facts) !== true) {
        return { ok: false, code: 'not_found', message: `no avatar upload ${JSON.stringify(next)} of yours; upload it with POST /api/v1/avatars first` };
      }
      this.toAvatar.run(next);
      this.addRef.run(1, next);
    }
    if (current !== null) this.addRef.run(-1, current);
    return undefined;
  }
}
