import type { ChatState, ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import type { RoomState } from '../room-state.js';
import { Composer } from './Composer.js';
import { MessageList } from './MessageList.js';
import { initial } from './RoomList.js';

export function Conversation({ store, state, room }: { store: ChatStore; state: ChatState; room: RoomState }) {
  const typingNames = Object.keys(room.typing).map((id) => state.names[id] ?? t('unknownUser'));
  const typing = typingNames.length === 0 ? ''
    : typingNames.length === 1 ? t('typing1', { a: typingNames[0] ?? '' })
      : typingNames.length === 2 ? t('typing2', { a: typingNames[0] ?? '', b: typingNames[1] ?? '' })
        : t('typingMany');
  return (
    <section class="conversation" aria-labelledby="room-title">
      <header class="conv-head">
        <a class="back link-button" href="#/" aria-label={t('backToRooms')}>‹</a>
        <span class={`avatar${room.kind === 'direct' ? ' direct' : ''}`} aria-hidden="true">{initial(room.name)}</span>
        <div class="conv-title">
          <h2 id="room-title">{room.name}</h2>
          <p class="conv-sub">{room.kind === 'direct' ? t('direct') : room.members === null ? '' : t('members', { n: room.members.length })}</p>
        </div>
      </header>
      <MessageList key={room.id} store={store} room={room} me={state.me.id} names={state.names}
        divider={state.divider?.room === room.id ? state.divider.after : null}
        target={state.target?.room === room.id ? state.target : null} />
      <p class="typing" aria-live="polite">{typing}</p>
      <Composer key={room.id} store={store} room={room} />
    </section>
  );
}
