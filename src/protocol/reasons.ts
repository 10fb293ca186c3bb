import type { ErrorCode } from './errors.js';

/**
 * Why a request was refused, finer than its code: `forbidden` alone cannot
 * tell a client whether to show "you are not in this room" or "only owners
 * may do that". Every refusal a rule makes names one of these; the code
 * stays the coarse, stable category, the reason the sentence a client shows.
 */
export const REASONS = {
  not_member: { code: 'forbidden', description: 'Not a member of the room (or it does not exist).' },
  not_allowed_for_role: { code: 'forbidden', description: 'The member\'s role in the room does not allow this.' },
  admin_only: { code: 'forbidden', description: 'Only a server admin may do this.' },
  direct_room: { code: 'forbidden', description: 'Direct rooms stay two people and have no settings to change.' },
  not_invited: { code: 'forbidden', description: 'The room is invite-only and there is no pending invitation.' },
  removed: { code: 'forbidden', description: 'Removed from this room: only a new invitation lets the user back in.' },
  target_not_member: { code: 'not_found', description: 'The user named is not in the room.' },
  target_outranks: { code: 'forbidden', description: 'The user named has the same or a higher role.' },
  last_owner: { code: 'conflict', description: 'The room would be left without an owner; make someone else owner first.' },
  already_member: { code: 'conflict', description: 'The user is already in the room (or already invited).' },
  user_unavailable: { code: 'not_found', description: 'No such user, or the account is disabled.' },
  not_own_message: { code: 'forbidden', description: 'Only the sender (or a moderator) may do this to the message.' },
  edit_window_passed: { code: 'forbidden', description: 'The time to edit this message has passed.' },
  message_deleted: { code: 'conflict', description: 'The message was deleted.' },
  wrong_password: { code: 'forbidden', description: 'The current password given is wrong (it counts toward the login throttle).' },
  invite_link_spent: { code: 'forbidden', description: 'The invitation link is unknown, expired, used up or revoked.' },
  room_event: { code: 'forbidden', description: 'A room change in the timeline: it cannot be edited, deleted or reacted to.' },
  name_taken: { code: 'conflict', description: 'Another group room already has this name.' },
} as const satisfies Record<string, { code: ErrorCode; description: string }>;

export type Reason = keyof typeof REASONS;
