import '../admin.css';
import { useEffect, useState } from 'preact/hooks';
import { inviteApi } from '../admin-api.js';
import { at } from '../admin-text.js';
import { HttpError } from '../api.js';
import { t } from '../i18n.js';
import type { Session } from '../session.js';

type Check = { state: 'checking' } | { state: 'spent' } | { state: 'open'; rooms: Array<{ id: string; name: string }> };

/**
 * The page an invitation link opens (/join/<token>): a phone-sized form to
 * make one's own account. A link that no longer works says so plainly.
 */
export function Join({ token, onJoined }: { token: string; onJoined: (s: Session, room: string | undefined) => void }) {
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    inviteApi.check(token).then(
      (r) => setCheck({ state: 'open', rooms: r.rooms }),
      (err: unknown) => (err instanceof HttpError && err.status === 403 ? setCheck({ state: 'spent' }) : setError(t('unreachable'))),
    );
  }, [token]);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const shown = displayName.trim();
      const r = await inviteApi.redeem({ token, name: name.trim(), password, ...(shown === '' ? {} : { displayName: shown }) });
      onJoined({ token: r.token, user: r.user }, r.rooms[0]);
    } catch (err) {
      if (err instanceof HttpError && err.status === 403) setCheck({ state: 'spent' });
      else if (err instanceof HttpError && err.status === 409) setError(at('nameTaken'));
      else if (err instanceof HttpError && err.status === 429) setError(t('throttled', { s: err.retryAfter ?? 30 }));
      else if (err instanceof HttpError && err.status === 400) setError(err.message);
      else setError(t('unreachable'));
      setBusy(false);
    }
  };

  if (check.state === 'spent') {
    return (
      <main class="login">
        <div class="login-card" role="alert">
          <div class="brand" aria-hidden="true">🪶</div>
          <h1>{at('linkSpentTitle')}</h1>
          <p>{at('linkSpentBody')}</p>
        </div>
      </main>
    );
  }
  return (
    <main class="login">
      <form class="login-card join-card" onSubmit={submit} aria-labelledby="join-title">
        <div class="brand" aria-hidden="true">🪶</div>
        <h1 id="join-title">{at('joinTitle')}</h1>
        {check.state === 'checking'
          ? <p>{at('checkingLink')}</p>
          : <p>{check.rooms.length > 0 ? at('joinRooms', { rooms: check.rooms.map((r) => r.name).join(', ') }) : at('joinNoRooms')}</p>}
        <label for="join-user">{t('userName')}</label>
        <input id="join-user" name="username" autocomplete="username" autocapitalize="none" spellcheck={false} required maxLength={32}
          pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,31}" aria-describedby="join-user-hint"
          value={name} onInput={(e) => setName(e.currentTarget.value)} autofocus />
        <small id="join-user-hint" class="hint">{at('userNameHint')}</small>
        <label for="join-display">{at('displayName')}</label>
        <input id="join-display" name="nickname" autocomplete="nickname" maxLength={64}
          value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        <label for="join-password">{at('newPassword')}</label>
        <input id="join-password" name="password" type="password" autocomplete="new-password" required minLength={10} aria-describedby="join-password-hint"
          value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <small id="join-password-hint" class="hint">{at('passwordHint')}</small>
        {error !== null && <p class="form-error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy || check.state !== 'open'}>{busy ? at('creating') : at('createAccount')}</button>
      </form>
    </main>
  );
}
