import { useEffect, useState } from 'preact/hooks';
import type { ChatState, ChatStore } from './chat-store.js';

/** The store's state, re-rendering the component whenever it changes (Preact batches the renders). */
export function useChat(store: ChatStore): ChatState {
  const [, bump] = useState(0);
  useEffect(() => store.subscribe(() => bump((n) => n + 1)), [store]);
  return store.state;
}

/** The current time, ticking every `ms` while `active`; one timer, only while needed. */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [active, ms]);
  return now;
}

/** The location hash as a route: the room list, one room, or the admin page. */
export type Route = { view: 'rooms' } | { view: 'room'; room: string } | { view: 'admin' } | { view: 'account' };

export function parseRoute(hash: string): Route {
  const room = /^#\/room\/([^/]+)$/.exec(hash);
  if (room?.[1] !== undefined) {
    // A hand-made or cut-off link ("%E0") is no room: the room list, not a page that fails to render.
    try {
      return { view: 'room', room: decodeURIComponent(room[1]) };
    } catch {
      return { view: 'rooms' };
    }
  }
  if (hash === '#/admin') return { view: 'admin' };
  if (hash === '#/account') return { view: 'account' };
  return { view: 'rooms' };
}

export const roomHref = (room: string): string => `#/room/${encodeURIComponent(room)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
