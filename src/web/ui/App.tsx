import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { clearSession, loadSession, saveSession, type Session } from '../session.js';
import { Chat } from './Chat.js';
import { Login } from './Login.js';

/** Signed out: the login form. Signed in: the chat, with a fresh store per session. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  if (session === null) {
    return <Login onSignedIn={(s) => { saveSession(s); setSession(s); }} />;
  }
  const signOut = (revoke: boolean): void => {
    // The token dies on the server too; the local copy goes whatever the answer.
    if (revoke) void api.logout(session.token).catch(() => undefined);
    clearSession();
    history.replaceState(null, '', location.pathname);
    setSession(null);
  };
  return <Chat key={session.token} session={session} onSignOut={signOut} />;
}
