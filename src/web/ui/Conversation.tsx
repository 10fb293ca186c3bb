import { useState } from 'preact/hooks';
import type { ChatState, ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import type { RoomState } from '../room-state.js';
import { Composer } from './Composer.js';
import { MemberList } from './MemberList.js';
import { MessageList } from './MessageList.js';
import { PresenceDot, presenceText, RoomSettings } from './RoomSettings.js';
import { roomTitle } from '../people.js';
import { Avatar } from './Avatar.js';
import { RoomSettingsDialog } from './RoomSettingsDialog.js';
import { useUploads } from './use-uploads.js';

export function Conversation({ store, state, room }: { store: ChatStore; state: ChatState; room: RoomState }) {
  const uploads = useUploads(store.token, room.id);
  const [dragging, setDragging] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const title = roomTitle(room, state.names, state.me.id);
  const typingNames = Object.keys(room.typing).map((id) => state.names[id] ?? t('unknownUser'));
  const typing = typingNames.length === 0 ? ''
    : typingNames.length === 1 ? t('typing1', { a: typingNames[0] ?? '' })
      : typingNames.length === 2 ? t('typing2', { a: typingNames[0] ?? '', b: typingNames[1] ?? '' })
        : t('typingMany');
  const other = room.kind === 'direct' ? room.peer ?? room.members?.find((id) => id !== state.me.id) : undefined;
  const hasFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') === true;
  return (
    <section class={`conversation${dragging ? ' dragging' : ''}`} aria-labelledby="room-title"
      onDragOver={(e) => { if (hasFiles(e)) { e.preventDefault(); setDragging(true); } }}
      onDragLeave={(e) => { if (e.currentTarget === e.target) setDragging(false); }}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(false);
        const files = e.dataTransfer?.files;
        if (files !== undefined && files.length > 0) uploads.add(files);
      }}>
      <header class="conv-head">
        <a class="back link-button" href="#/" aria-label={t('backToRooms')}>‹</a>
        <span class="avatar-wrap">
          <Avatar label={title} fileId={other !== undefined ? state.people[other]?.avatar : room.avatar} links={store.avatarLinks} square={room.kind === 'direct'} />
          {other !== undefined && <PresenceDot state={state.presence[other]} />}</span>
        <div class="conv-title">
          <h2 id="room-title">{title}</h2>
          {room.topic !== '' && <p class="conv-topic" title={room.topic}>{room.topic}</p>}
          {room.kind === 'direct'
            ? <p class="conv-sub">{`${t('direct')}${other !== undefined && state.presence[other] !== undefined ? ` · ${presenceText(state.presence[other])}` : ''}`}</p>
            : room.members === null ? <p class="conv-sub" />
              : <MemberList members={room.members} names={state.names} presence={state.presence}
                bots={new Set(room.members.filter((id) => state.people[id]?.bot === true))} />}
        </div>
        <RoomSettings store={store} room={room} />
        {room.kind === 'group' && (
          <button type="button" class="secondary settings-button" aria-label={t('roomSettingsButton')} title={t('roomSettingsButton')}
            onClick={() => setSettingsOpen(true)}>⚙</button>
        )}
      </header>
      {settingsOpen && <RoomSettingsDialog store={store} state={state} room={room} onClose={() => setSettingsOpen(false)} />}
      <MessageList key={room.id} store={store} room={room} me={state.me} names={state.names}
        editing={state.editing?.room === room.id ? state.editing.seq : null}
        divider={state.divider?.room === room.id ? state.divider.after : null}
        target={state.target?.room === room.id ? state.target : null} />
      {dragging && <p class="drop-hint" aria-hidden="true">{t('dropHere')}</p>}
      <p class="typing" aria-live="polite">{typing}</p>
      <Composer key={room.id} store={store} state={state} room={room} uploads={uploads} />
    </section>
  );
}
