import { useState } from 'preact/hooks';
import type { ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import type { NotifyLevel, PresenceState } from '../protocol.js';
import { setNotify } from '../room-actions.js';
import type { RoomState } from '../room-state.js';

/** The room header's mute switch and notification level, stored per user on the server (`notify`). */
export function RoomSettings({ store, room }: { store: ChatStore; room: RoomState }) {
  const [error, setError] = useState<string | null>(null);
  const apply = (settings: { muted?: boolean; level?: NotifyLevel }): void =>
    void setNotify(store, room.id, settings).then((why) => setError(why === null ? null : t('actionFailed', { why })));
  return (
    <div class="room-settings">
      <button type="button" class={`secondary mute${room.muted ? ' on' : ''}`} aria-pressed={room.muted} onClick={() => apply({ muted: !room.muted })}>
        <span aria-hidden="true">{room.muted ? '🔕' : '🔔'}</span> <span class="mute-text">{room.muted ? t('unmute') : t('mute')}</span>
      </button>
      <label class="visually-hidden" for="notify-level">{t('notifyLabel')}</label>
      <select id="notify-level" value={room.notify} title={t('notifyLabel')} onChange={(e) => apply({ level: e.currentTarget.value as NotifyLevel })}>
        <option value="all">{t('notifyAll')}</option>
        <option value="mentions">{t('notifyMentions')}</option>
        <option value="none">{t('notifyNone')}</option>
      </select>
      {error !== null && <span class="send-state" role="alert">{error}</span>}
    </div>
  );
}

/** A small dot on an avatar: green online, amber away, grey offline (with the word for screen readers). */
export function PresenceDot({ state }: { state: PresenceState | undefined }) {
  if (state === undefined) return null;
  const word = presenceText(state);
  return <span class={`presence ${state}`} data-presence={state} role="img" aria-label={word} title={word} />;
}

export function presenceText(s: PresenceState | undefined): string {
  return s === 'online' ? t('presenceOnline') : s === 'away' ? t('presenceAway') : t('presenceOffline');
}
