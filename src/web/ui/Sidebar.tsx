import type { ChatState, ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { NotificationsButton } from './NotificationsButton.js';
import { RoomList } from './RoomList.js';
import { SearchBox, SearchResults } from './Search.js';

export function Sidebar({ store, state, onSignOut }: { store: ChatStore; state: ChatState; onSignOut: () => void }) {
  return (
    <aside class="sidebar">
      <header class="sidebar-head">
        <h1 class="app-name">{t('appName')}</h1>
        <ConnectionBadge state={state.conn} onRetry={() => store.conn.retryNow()} />
        <nav class="account" aria-label={state.me.name}>
          <span class="me" title={state.me.name}>{state.me.name}</span>
          <NotificationsButton />
          {state.me.role === 'admin' && <a class="link-button" href="#/admin">{t('admin')}</a>}
          <button type="button" class="link-button" onClick={onSignOut}>{t('signOut')}</button>
        </nav>
      </header>
      <SearchBox store={store} search={state.search} />
      {state.search !== null
        ? <SearchResults store={store} state={state} />
        : <RoomList state={state} />}
    </aside>
  );
}
