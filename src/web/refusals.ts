import { t, type TextKey } from './i18n.js';

/** The refusals a person can meet in the rooms and account screens, in words (src/protocol/reasons.ts lists them). */
const REASON_TEXT: Readonly<Record<string, TextKey>> = {
  not_member: 'reasonNotMember',
  not_allowed_for_role: 'reasonRole',
  admin_only: 'reasonAdminOnly',
  direct_room: 'reasonDirect',
  not_invited: 'reasonNotInvited',
  removed: 'reasonRemoved',
  target_not_member: 'reasonTargetNotMember',
  target_outranks: 'reasonOutranks',
  last_owner: 'reasonLastOwner',
  already_member: 'reasonAlreadyMember',
  user_unavailable: 'reasonUserUnavailable',
  name_taken: 'reasonNameTaken',
  wrong_password: 'reasonWrongPassword',
  room_event: 'reasonRoomEvent',
};

/** Why an action failed, as a sentence: the rule's reason when the server gave one, else its message. */
export function refusalText(err: unknown): string {
  const e = err as { reason?: unknown; message?: unknown };
  const key = typeof e.reason === 'string' ? REASON_TEXT[e.reason] : undefined;
  if (key !== undefined) return t(key);
  return typeof e.message === 'string' && e.message !== '' ? e.message : t('reasonUnknown');
}
