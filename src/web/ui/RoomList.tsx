import type { ChatState, ChatStore } from '../chat-store.js';
import { roomTitle } from '../people.js';
import { Avatar } from './Avatar.js';
import { roomHref } from '../hooks.js';
import { shortWhen } from '../format.js';
import { t } from '../i18n.js';
import { previewText } from '../previews.js';
import { unreadCount, type RoomState } from '../room-state.js';
import { PresenceDot } from './RoomSettings.js';

/** Most recent activity first; rooms without messages last, by name. */
function byActivity(a: RoomState, b: RoomState): number {
  const ta = a.preview?.ts ?? 0;
  const tb = b.preview?.ts ?? 0;
  return tb - ta || a.name.localeCompare(b.name);
}

export function RoomList({ store, state }: { store: ChatStore; state: ChatState }) {
  const rooms = Object.values(state.rooms).sort(byActivity);
  if (state.roomsLoaded && rooms.length === 0) return <p class="sidebar-note">{t('noRooms')}</p>;
  return (
    <nav class="rooms" aria-label={t('rooms')}>
      <ul>
        {rooms.map((r) => <RoomRow key={r.id} room={r} state={state} store={store} />)}
      </ul>
    </nav>
  );
}

function RoomRow({ room, state, store }: { room: RoomState; state: ChatState; store: ChatStore }) {
  const unread = unreadCount(room);
  const p = room.preview;
  const who = p === null ? '' : p.from === state.me.id ? t('you') : room.kind === 'direct' ? '' : state.names[p.from] ?? '';
  const current = state.current === room.id;
  const other = room.kind === 'direct' ? room.peer ?? room.members?.find((id) => id !== state.me.id) : undefined;
  const title = roomTitle(room, state.names, state.me.id);
  return (
    <li>
      <a class={`room${current ? ' current' : ''}${unread > 0 ? ' has-unread' : ''}`} href={roomHref(room.id)}
        aria-current={current ? 'page' : undefined} data-room={room.id}>
        <span class="avatar-wrap">
          <Avatar label={title} fileId={other !== undefined ? state.people[other]?.avatar : room.avatar} links={store.avatarLinks} square={room.kind === 'direct'} />
          {other !== undefined && <PresenceDot state={state.presence[other]} />}
        </span>
        <span class="room-text">
          <span class="room-top">
            <span class="room-name">{title}</span>
            {room.muted && <span class="muted-mark" role="img" aria-label={t('muted')} title={t('muted')}>🔕</span>}
            {p !== null && <time class="room-time" dateTime={new Date(p.ts).toISOString()}>{shortWhen(p.ts)}</time>}
          </span>
          <span class="room-bottom">
            <span class="room-preview">{p === null ? '' : previewText(p, who)}</span>
            {room.mentions > 0 && <span class="badge mentions" aria-label={t('mentionsBadge', { n: room.mentions })}>@{room.mentions > 99 ? '99+' : room.mentions}</span>}
            {unread > 0 && <span class="badge" aria-label={t('unread', { n: unread })}>{unread > 999 ? '999+' : unread}</span>}
          </span>
        </span>
      </a>
    </li>
  );
}

export function initial(name: string): string {
  const first = [...name.trim()][0] ?? '?';
  return first.toUpperCase();
}
