import { useEffect, useState } from 'preact/hooks';
import type { ChatState, ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import type { PublicProfile } from '../protocol.js';
import { findUsers } from '../room-directory.js';
import { refusalText } from '../refusals.js';
import { Avatar } from './Avatar.js';

/** Waits this long after the last key before asking the server, so typing a name is one request, not one per letter. */
const QUERY_DELAY_MS = 200;

/**
 * Search over the server's users (the `users` frame) by name or display
 * name; choosing one calls `onPick`. `exclude`: ids not to offer (the user,
 * those already chosen or in the room).
 */
export function UserPicker({ store, state, exclude, onPick, label }: {
  store: ChatStore; state: ChatState; exclude: ReadonlySet<string>; onPick: (p: PublicProfile) => void; label: string;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<PublicProfile[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      findUsers(store, query.trim()).then((users) => { if (live) { setFound(users); setError(null); } }, (err) => { if (live) setError(refusalText(err)); });
    }, QUERY_DELAY_MS);
    return () => { live = false; window.clearTimeout(timer); };
  }, [query]);
  const shown = (found ?? []).filter((u) => !exclude.has(u.user) && u.user !== state.me.id);
  return (
    <div class="user-picker">
      <label for="user-query">{label}</label>
      <input id="user-query" type="search" value={query} autocomplete="off" placeholder={t('searchPeople')}
        onInput={(e) => setQuery(e.currentTarget.value)} />
      {error !== null && <p class="form-error" role="alert">{error}</p>}
      <ul class="user-list" aria-label={t('people')}>
        {shown.map((u) => (
          <li key={u.user}>
            <button type="button" class="user-row" data-user={u.user} onClick={() => onPick(u)}>
              <Avatar label={u.displayName || u.name} fileId={u.avatar} links={store.avatarLinks} small />
              <span class="user-names"><span class="user-display">{u.displayName || u.name}</span>
                {u.displayName !== '' && <span class="user-login">@{u.name}</span>}</span>
            </button>
          </li>
        ))}
        {found !== null && shown.length === 0 && <li class="sidebar-note">{t('noPeopleFound')}</li>}
      </ul>
    </div>
  );
}
