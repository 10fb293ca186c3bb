import { useState } from 'preact/hooks';
import type { ChatState, ChatStore } from '../chat-store.js';
import { roomHref } from '../hooks.js';
import { t } from '../i18n.js';
import { refusalText } from '../refusals.js';
import { joinRoom, leaveRoom } from '../room-directory.js';

/** Invitations waiting for an answer, above the room list: accept (join and open the room) or decline. */
export function Invitations({ store, state }: { store: ChatStore; state: ChatState }) {
  const [error, setError] = useState<string | null>(null);
  if (state.invites.length === 0) return null;
  const answer = (room: string, accept: boolean): void => {
    void (accept ? joinRoom(store, room) : leaveRoom(store, room)).then(() => {
      setError(null);
      if (accept) location.hash = roomHref(room);
    }, (err) => setError(refusalText(err)));
  };
  return (
    <section class="invitations" aria-labelledby="invitations-title">
      <h2 id="invitations-title" class="results-title">{t('invitations')}</h2>
      <ul>
        {state.invites.map((i) => (
          <li key={i.room} class="invitation" data-room={i.room}>
            <span class="room-text">
              <span class="room-name">{i.name}</span>
              <span class="room-preview">{t('invitationFrom', { who: state.names[i.by] ?? t('unknownUser') })}{i.topic !== '' ? ` · ${i.topic}` : ''}</span>
            </span>
            <span class="invitation-buttons">
              <button type="button" class="primary" onClick={() => answer(i.room, true)}>{t('accept')}</button>
              <button type="button" class="secondary" onClick={() => answer(i.room, false)}>{t('decline')}</button>
            </span>
          </li>
        ))}
      </ul>
      {error !== null && <p class="form-error" role="alert">{error}</p>}
    </section>
  );
}
