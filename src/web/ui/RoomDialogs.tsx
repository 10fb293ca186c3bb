import { useEffect, useState } from 'preact/hooks';
import type { ChatState, ChatStore } from '../chat-store.js';
import { roomHref } from '../hooks.js';
import { t } from '../i18n.js';
import type { DirectoryEntry, HistoryRule, JoinRule, PublicProfile } from '../protocol.js';
import { refusalText } from '../refusals.js';
import { createRoom, joinRoom, loadDirectory, openDirect } from '../room-directory.js';
import { Avatar } from './Avatar.js';
import { Dialog } from './Dialog.js';
import { UserPicker } from './UserPicker.js';

const go = (room: string | undefined): void => {
  if (room !== undefined) location.hash = roomHref(room);
};

/** A new group room: name, topic, who may join, what newcomers read, and people to invite. */
export function NewRoomDialog({ store, state, onClose }: { store: ChatStore; state: ChatState; onClose: () => void }) {
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [joinRule, setJoinRule] = useState<JoinRule>('invite');
  const [history, setHistory] = useState<HistoryRule>('shared');
  const [invite, setInvite] = useState<PublicProfile[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (busy || name.trim() === '') return;
    setBusy(true);
    try {
      const room = await createRoom(store, { name: name.trim(), ...(topic.trim() !== '' ? { topic: topic.trim() } : {}), joinRule, history, invite: invite.map((u) => u.user) });
      onClose();
      go(room);
    } catch (err) {
      setError(refusalText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('newRoom')} onClose={onClose} wide>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <label for="room-name">{t('roomName')}</label>
        <input id="room-name" required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} autofocus />
        <label for="room-topic">{t('topic')}</label>
        <input id="room-topic" maxLength={500} value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
        <RuleFields joinRule={joinRule} history={history} onJoinRule={setJoinRule} onHistory={setHistory} />
        <fieldset>
          <legend>{t('inviteSome')}</legend>
          {invite.length > 0 && (
            <ul class="chosen" aria-label={t('chosenPeople')}>
              {invite.map((u) => (
                <li key={u.user}>{u.displayName || u.name}
                  <button type="button" class="link-button" aria-label={t('removeChosen', { name: u.displayName || u.name })}
                    onClick={() => setInvite(invite.filter((x) => x.user !== u.user))}>✕</button></li>
              ))}
            </ul>
          )}
          <UserPicker store={store} state={state} label={t('findPeople')} exclude={new Set(invite.map((u) => u.user))} onPick={(u) => setInvite([...invite, u])} />
        </fieldset>
        {error !== null && <p class="form-error" role="alert">{error}</p>}
        <div class="form-actions">
          <button type="button" class="secondary" onClick={onClose}>{t('cancel')}</button>
          <button type="submit" class="primary" disabled={busy || name.trim() === ''}>{t('createRoom')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Join rule and history visibility, as two plain selects. */
export function RuleFields({ joinRule, history, onJoinRule, onHistory, disabledJoin = false, disabledHistory = false }: {
  joinRule: JoinRule; history: HistoryRule; onJoinRule: (r: JoinRule) => void; onHistory: (h: HistoryRule) => void; disabledJoin?: boolean; disabledHistory?: boolean;
}) {
  return (
    <>
      <label for="join-rule">{t('joinRuleLabel')}</label>
      <select id="join-rule" value={joinRule} disabled={disabledJoin} onChange={(e) => onJoinRule(e.currentTarget.value as JoinRule)}>
        <option value="invite">{t('joinInvite')}</option>
        <option value="public">{t('joinPublic')}</option>
      </select>
      <label for="history-rule">{t('historyLabel')}</label>
      <select id="history-rule" value={history} disabled={disabledHistory} onChange={(e) => onHistory(e.currentTarget.value as HistoryRule)}>
        <option value="shared">{t('historyShared')}</option>
        <option value="joined">{t('historyJoined')}</option>
      </select>
    </>
  );
}

/** A direct message: choose a person; their one direct room with the user opens (made if new). */
export function NewDirectDialog({ store, state, onClose }: { store: ChatStore; state: ChatState; onClose: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const pick = async (u: PublicProfile): Promise<void> => {
    try {
      const room = await openDirect(store, u.user);
      onClose();
      go(room);
    } catch (err) {
      setError(refusalText(err));
    }
  };
  return (
    <Dialog title={t('newDirect')} onClose={onClose}>
      <UserPicker store={store} state={state} label={t('findPeople')} exclude={new Set()} onPick={(u) => void pick(u)} />
      {error !== null && <p class="form-error" role="alert">{error}</p>}
    </Dialog>
  );
}

/** The server's public rooms, each with a Join button (or Open, when the user is in it). */
export function DirectoryDialog({ store, state, onClose }: { store: ChatStore; state: ChatState; onClose: () => void }) {
  const [rooms, setRooms] = useState<DirectoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void loadDirectory(store).then(setRooms, (err) => setError(refusalText(err)));
  }, []);
  const join = async (room: string): Promise<void> => {
    try {
      await joinRoom(store, room);
      onClose();
      go(room);
    } catch (err) {
      setError(refusalText(err));
    }
  };
  return (
    <Dialog title={t('directory')} onClose={onClose} wide>
      {error !== null && <p class="form-error" role="alert">{error}</p>}
      {rooms !== null && rooms.length === 0 && <p class="sidebar-note">{t('directoryEmpty')}</p>}
      <ul class="directory">
        {(rooms ?? []).map((r) => (
          <li key={r.room} data-room={r.room}>
            <Avatar label={r.name} fileId={r.avatar} links={store.avatarLinks} />
            <span class="directory-text"><span class="room-name">{r.name}</span>
              <span class="conv-sub">{t('members', { n: r.members })}{r.topic !== '' ? ` · ${r.topic}` : ''}</span></span>
            {state.rooms[r.room] !== undefined
              ? <a class="secondary button-link" href={roomHref(r.room)} onClick={onClose}>{t('open')}</a>
              : <button type="button" class="primary" onClick={() => void join(r.room)}>{t('join')}</button>}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
