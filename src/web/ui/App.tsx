import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { clearSession, loadSession, saveSession, type Session } from '../session.js';
import { Chat } from './Chat.js';
import { Join } from './Join.js';
import { Login } from './Login.js';

/** The token of an invitation link's page, /join/<token>. */
const joinToken = (): string | undefined => /^\/join\/([A-Za-z0-9_-]{1,64})$/.exec(location.pathname)?.[1];

/** Signed out: the login form (or an invitation's join page). Signed in: the chat, with a fresh store per session. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [invite, setInvite] = useState(joinToken);
  if (invite !== undefined) {
    return <Join token={invite} onJoined={(s, room) => {
      saveSession(s);
      // The link's token leaves the address bar and the history; the chat opens in the link's first room.
      history.replaceState(null, '', room === undefined ? '/' : `/#/room/${room}`);
      setInvite(undefined);
      setSession(s);
    }} />;
  }
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
