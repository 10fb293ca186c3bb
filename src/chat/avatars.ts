import { AVATAR_ROOM } from '../store/files/avatar-files.js';
import type { AvatarRow } from '../store/read/account-reader.js';
import type { NewFile } from '../store/write/write-ops.js';
import type { Membership } from './membership.js';


/** What the avatar rules read of the store (store/read/account-reader.ts implements it). */
export interface AvatarRecords {
  avatar(fileId: string): AvatarRow | undefined;
  /** Whether an enabled user shows this avatar, and which rooms (public or not) do. */
  avatarUse(fileId: string): { byUser: boolean; rooms: Array<{ room: number; public: boolean }> };
}

const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Who may see which avatar: a user's, anyone signed in; a room's, its
 * members (anyone for a public room); one not in use yet, its uploader.
 * Unknown and not-yours are both undefined, so ids cannot be probed.
 */
export class Avatars {
  constructor(private readonly records: AvatarRecords, private readonly membership: Membership) {}

  visible(fileId: string, user: number): AvatarRow | undefined {
    const row = FILE_ID.test(fileId) ? this.records.avatar(fileId) : undefined;
    if (row === undefined || row.uploader_id === user) return row;
    const use = this.records.avatarUse(fileId);
    return use.byUser || use.rooms.some((r) => r.public || this.membership.isMember(r.room, user)) ? row : undefined;
  }

  /** The file row of a new avatar upload: in no room, so no message can carry it. */
  static upload(file: Omit<NewFile, 'room' | 'name' | 'thumb'>): NewFile {
    return { ...file, room: AVATAR_ROOM, name: 'avatar', thumb: true };
  }
}
