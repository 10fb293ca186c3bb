import { t, type TextKey } from './i18n.js';
import type { RoomEvent, RoomRole } from './protocol.js';

const ROLE_WORD: Record<RoomRole, TextKey> = { owner: 'roleOwner', moderator: 'roleModerator', member: 'roleMember' };

export const roleWord = (role: RoomRole): string => t(ROLE_WORD[role]);

/**
 * A room change as the line shown in its timeline: "alice invited bob",
 * "bob set the topic to “…”". `from` is who acted; `label` names a user as
 * the client shows them (display name first); the reader is "You" / "you".
 */
export function describeEvent(ev: RoomEvent, from: string, label: (id: string) => string, me = ''): string {
  const who = from === me ? t('you') : label(from);
  const whom = (id: string): string => (id === me ? t('youObject') : label(id));
  switch (ev.kind) {
    case 'created': return t('evCreated', { who, name: ev.name });
    case 'invited': return t('evInvited', { who, user: whom(ev.user) });
    case 'joined': return t('evJoined', { who });
    case 'declined': return t('evDeclined', { who });
    case 'left': return t('evLeft', { who });
    case 'removed': return t('evRemoved', { who, user: whom(ev.user) });
    case 'role': return t('evRole', { who, user: whom(ev.user), role: roleWord(ev.role) });
    case 'name': return t('evName', { who, name: ev.name });
    case 'topic': return ev.topic === '' ? t('evTopicCleared', { who }) : t('evTopic', { who, topic: ev.topic });
    case 'avatar': return ev.fileId === null ? t('evAvatarRemoved', { who }) : t('evAvatar', { who });
    case 'join_rule': return ev.joinRule === 'public' ? t('evPublic', { who }) : t('evInviteOnly', { who });
    case 'history': return ev.history === 'shared' ? t('evHistoryShared', { who }) : t('evHistoryJoined', { who });
    default: return '';
  }
}
