import { useEffect, useState } from 'preact/hooks';
import { api, type AccountSession } from '../api.js';
import { uploadAvatar } from '../avatar-upload.js';
import type { ChatState, ChatStore } from '../chat-store.js';
import { shortDateTime } from '../format.js';
import { t } from '../i18n.js';
import { refusalText } from '../refusals.js';
import { Avatar } from './Avatar.js';
import { AvatarButtons } from './RoomSettingsDialog.js';

/** The user's own account: profile (display name, picture), password, and signed-in devices. */
export function Account({ store, state }: { store: ChatStore; state: ChatState }) {
  return (
    <section class="admin account-page" aria-labelledby="account-title">
      <header class="admin-head">
        <a class="back link-button" href="#/">{t('backToChat')}</a>
        <h2 id="account-title">{t('account')}</h2>
      </header>
      <Profile store={store} state={state} />
      <Password store={store} />
      <Sessions store={store} />
    </section>
  );
}

function Profile({ store, state }: { store: ChatStore; state: ChatState }) {
  const me = state.people[state.me.id];
  const [displayName, setDisplayName] = useState(me?.displayName ?? '');
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const set = async (change: { displayName?: string; avatar?: string | null }): Promise<void> => {
    try {
      await store.conn.request({ type: 'set_profile', ...change });
      store.learn([{ id: state.me.id, ...change }]);
      setNote({ ok: true, text: t('saved') });
    } catch (err) {
      setNote({ ok: false, text: refusalText(err) });
    }
  };
  return (
    <form class="form account-section" aria-labelledby="profile-title" onSubmit={(e) => { e.preventDefault(); void set({ displayName: displayName.trim() }); }}>
      <h3 id="profile-title">{t('profile')}</h3>
      <div class="avatar-field">
        <Avatar label={state.names[state.me.id] ?? state.me.name} fileId={me?.avatar} links={store.avatarLinks} />
        <AvatarButtons onFile={(f) => void uploadAvatar(store.token, f).then((avatar) => set({ avatar }), (err) => setNote({ ok: false, text: refusalText(err) }))}
          onRemove={me?.avatar !== undefined ? () => void set({ avatar: null }) : undefined} />
      </div>
      <p class="conv-sub">{t('signedInAs', { name: state.me.name })}</p>
      <label for="display-name">{t('displayName')}</label>
      <input id="display-name" maxLength={64} value={displayName} placeholder={state.me.name} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      <div class="form-actions"><button type="submit" class="primary">{t('save')}</button></div>
      {note !== null && <p class={note.ok ? 'form-ok' : 'form-error'} role={note.ok ? 'status' : 'alert'}>{note.text}</p>}
    </form>
  );
}

function Password({ store }: { store: ChatStore }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [revokeOthers, setRevokeOthers] = useState(true);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (password !== again) return setNote({ ok: false, text: t('passwordsDiffer') });
    try {
      await api.changePassword(store.token, current, password, revokeOthers);
      setCurrent('');
      setPassword('');
      setAgain('');
      setNote({ ok: true, text: t('passwordChanged') });
    } catch (err) {
      setNote({ ok: false, text: refusalText(err) });
    }
  };
  return (
    <form class="form account-section" aria-labelledby="password-title" onSubmit={(e) => void submit(e)}>
      <h3 id="password-title">{t('changePassword')}</h3>
      <input type="text" autocomplete="username" value={store.state.me.name} hidden readOnly />
      <label for="current-password">{t('currentPassword')}</label>
      <input id="current-password" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      <label for="new-password">{t('newPassword')}</label>
      <input id="new-password" type="password" autocomplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      <label for="new-password-again">{t('newPasswordAgain')}</label>
      <input id="new-password-again" type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
      <label class="check"><input type="checkbox" checked={revokeOthers} onChange={(e) => setRevokeOthers(e.currentTarget.checked)} /> {t('revokeOthersToo')}</label>
      <div class="form-actions"><button type="submit" class="primary">{t('changePassword')}</button></div>
      {note !== null && <p class={note.ok ? 'form-ok' : 'form-error'} role={note.ok ? 'status' : 'alert'}>{note.text}</p>}
    </form>
  );
}

function Sessions({ store }: { store: ChatStore }) {
  const [sessions, setSessions] = useState<AccountSession[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    void api.sessions(store.token).then((r) => { setSessions(r.sessions); setError(null); }, (err) => setError(refusalText(err)));
  }, [n]);
  const act = (p: Promise<void>): void => void p.then(() => setN(n + 1), (err) => setError(refusalText(err)));
  const others = (sessions ?? []).filter((s) => !s.current).length;
  return (
    <section class="account-section" aria-labelledby="sessions-title">
      <h3 id="sessions-title">{t('sessions')}</h3>
      {error !== null && <p class="form-error" role="alert">{error}</p>}
      <ul class="sessions">
        {(sessions ?? []).map((s) => (
          <li key={s.id} data-session={s.id}>
            <span class="session-text">
              <span class="session-device">{s.device || t('unknownDevice')}{s.current && <strong> · {t('thisDevice')}</strong>}</span>
              <span class="conv-sub">{t('sessionSeen', { ip: s.ip, when: shortDateTime(s.lastUsedAt) })}</span>
            </span>
            {!s.current && <button type="button" class="link-button danger" onClick={() => act(api.revokeSession(store.token, s.id))}>{t('signOutDevice')}</button>}
          </li>
        ))}
      </ul>
      {others > 0 && <button type="button" class="secondary" onClick={() => act(api.revokeOtherSessions(store.token))}>{t('signOutOthers')}</button>}
    </section>
  );
}
