import type { RoomMember } from '../store/read/reader.js';
import type { Membership } from './membership.js';
import { notMember, type Failure } from './replies.js';
import { parseRoomId } from './service.js';

export type { RoomMember };

export interface MemberDirectory {
  /** A room's members with their names and read markers. */
  membersOfWithNames(room: number): RoomMember[];
}

/**
 * A room's member list, for its members only: anyone else gets the same
 * refusal as for a room that does not exist, so room ids cannot be probed.
 */
export class MemberList {
  constructor(private readonly membership: Membership, private readonly directory: MemberDirectory) {}

  of(user: number, room: string): { ok: true; members: RoomMember[] } | Failure {
    const roomId = parseRoomId(room);
    if (roomId === null || !this.membership.isMember(roomId, user)) return notMember(room.slice(0, 64));
    return { ok: true, members: this.directory.membersOfWithNames(roomId) };
  }
}
