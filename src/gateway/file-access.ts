import type { Membership } from '../chat/membership.js';
import type { DownloadRow } from '../store/read/change-reader.js';
import type { Reader } from '../store/read/reader.js';

const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The file, when this user may fetch it now: a member of its room, and either
 * its uploader or the room has a message (not deleted) carrying it. Unknown and
 * not-yours are both undefined, so file ids cannot be probed.
 */
export function visibleFile(reader: Reader, membership: Membership, id: string, userId: number): DownloadRow | undefined {
  const row = FILE_ID.test(id) ? reader.changes.file(id) : undefined;
  if (row === undefined || !membership.isMember(row.room_id, userId)) return undefined;
  if (row.uploader_id !== userId && !reader.changes.isPosted(row.id)) return undefined;
  return row;
}
