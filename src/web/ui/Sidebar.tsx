import { useState } from 'preact/hooks';
import type { ChatState, ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { Avatar } from './Avatar.js';
import { Invitations } from './Invitations.js';
import { NotificationsButton } from './NotificationsButton.js';
import { DirectoryDialog, NewDirectDialog, NewRoomDialog } from './RoomDialogs.js';
import { RoomList } from './RoomList.js';
import { SearchBox, SearchResults } from './Search.js';

type Open = 'none' | 'room' | 'direct' | 'directory';

export function Sidebar({ store, state, onSignOut }: { store: ChatStore; state: ChatState; onSignOut: () => void }) {
  const [open, setOpen] = useState<Open>('none');
  const close = (): void => setOpen('none');
  const myName = state.names[state.me.id] ?? state.me.name;
  return (
    <aside class="sidebar">
      <header class="sidebar-head">
        <h1 class="app-name">{t('appName')}</h1>
        <ConnectionBadge state={state.conn} onRetry={() => store.conn.retryNow()} />
        <nav class="account" aria-label={myName}>
          <a class="me-link" href="#/account" title={t('account')}>
            <Avatar label={myName} fileId={state.people[state.me.id]?.avatar} links={store.avatarLinks} small />
            <span class="me">{myName}</span>
          </a>
          <NotificationsButton />
          {state.me.role === 'admin' && <a class="link-button" href="#/admin">{t('admin')}</a>}
          <button type="button" class="link-button" onClick={onSignOut}>{t('signOut')}</button>
        </nav>
      </header>
      <div class="room-actions">
        <button type="button" class="secondary" onClick={() => setOpen('room')}>+ {t('newRoom')}</button>
        <button type="button" class="secondary" onClick={() => setOpen('direct')}>✉ {t('newDirect')}</button>
        <button type="button" class="secondary" onClick={() => setOpen('directory')}>{t('directory')}</button>
      </div>
      <SearchBox store={store} search={state.search} />
      {state.search !== null
        ? <SearchResults store={store} state={state} />
        : <><Invitations store={store} state={state} /><RoomList store={store} state={state} /></>}
      {open === 'room' && <NewRoomDialog store={store} state={state} onClose={close} />}
      {open === 'direct' && <NewDirectDialog store={store} state={state} onClose={close} />}
      {open === 'directory' && <DirectoryDialog store={store} state={state} onClose={close} />}
    </aside>
  );
}
