import { useEffect, useMemo } from 'preact/hooks';
import { ChatStore } from '../chat-store.js';
import { useChat, useRoute } from '../hooks.js';
import { t } from '../i18n.js';
import { attentionCount } from '../notifications.js';
import type { Session } from '../session.js';
import { Admin } from './Admin.js';
import { Conversation } from './Conversation.js';
import { Sidebar } from './Sidebar.js';

/**
 * The signed-in layout: the sidebar (rooms, search) and the open room side by
 * side on a wide screen; on a phone one or the other, following the route.
 */
export function Chat({ session, onSignOut }: { session: Session; onSignOut: (revoke: boolean) => void }) {
  const store = useMemo(() => new ChatStore(session.token, session.user, () => onSignOut(false)), [session.token]);
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  const state = useChat(store);
  const route = useRoute();

  const routeRoom = route.view === 'room' ? route.room : null;
  useEffect(() => {
    if (state.roomsLoaded) store.openRoom(routeRoom);
  }, [routeRoom, state.roomsLoaded]);

  const unread = Object.values(state.rooms).reduce((n, r) => n + attentionCount(r), 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ${t('appName')}` : t('appName');
  }, [unread]);

  const room = state.current === null ? undefined : state.rooms[state.current];
  const showingMain = route.view === 'admin' || room !== undefined;
  return (
    <div class={`chat ${showingMain ? 'main-open' : 'list-open'}`}>
      <Sidebar store={store} state={state} onSignOut={() => onSignOut(true)} />
      <main class="main" id="main">
        {route.view === 'admin'
          ? <Admin token={session.token} isAdmin={session.user.role === 'admin'} me={session.user.name} />
          : room !== undefined
            ? <Conversation store={store} state={state} room={room} />
            : <div class="empty-main"><p>{state.roomsLoaded && Object.keys(state.rooms).length === 0 ? t('noRooms') : t('chooseRoom')}</p></div>}
      </main>
    </div>
  );
}
