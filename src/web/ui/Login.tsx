import { useState } from 'preact/hooks';
import { api, HttpError } from '../api.js';
import { t } from '../i18n.js';
import type { Session } from '../session.js';

export function Login({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const { token, user } = await api.login(username.trim(), password);
      onSignedIn({ token, user });
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) setError(t('throttled', { s: err.retryAfter ?? 30 }));
      else if (err instanceof HttpError && err.status === 401) setError(t('wrongLogin'));
      else setError(t('unreachable'));
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand" aria-hidden="true">🪶</div>
        <h1 id="login-title">{t('signInTitle')}</h1>
        <label for="login-user">{t('userName')}</label>
        <input id="login-user" name="username" autocomplete="username" autocapitalize="none" spellcheck={false} required
          value={username} onInput={(e) => setUsername(e.currentTarget.value)} autofocus />
        <label for="login-password">{t('password')}</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required
          value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        {error !== null && <p class="form-error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? t('signingIn') : t('signIn')}</button>
      </form>
    </main>
  );
}
