import { useState } from 'preact/hooks';
import type { ChatState, ChatStore } from '../chat-store.js';
import { highlight, shortWhen, fullTime } from '../format.js';
import { roomHref } from '../hooks.js';
import { t } from '../i18n.js';
import type { SearchHit } from '../protocol.js';
import { closeSearch, search as runSearch, type SearchState } from '../search-actions.js';
import { BotBadge } from './BotBadge.js';

export function SearchBox({ store, search }: { store: ChatStore; search: SearchState | null }) {
  const [text, setText] = useState('');
  const close = (): void => {
    setText('');
    closeSearch(store);
  };
  return (
    <form class="search" role="search" onSubmit={(e) => { e.preventDefault(); void runSearch(store, text); }}>
      <label for="search-input" class="visually-hidden">{t('searchLabel')}</label>
      <input id="search-input" type="search" placeholder={t('searchPlaceholder')} value={text} maxLength={256}
        enterkeyhint="search" autocomplete="off"
        onInput={(e) => {
          setText(e.currentTarget.value);
          if (e.currentTarget.value === '') closeSearch(store);
        }}
        onKeyDown={(e) => { if (e.key === 'Escape') close(); }} />
      {search !== null && <button type="button" class="link-button" onClick={close}>{t('closeSearch')}</button>}
    </form>
  );
}

export function SearchResults({ store, state }: { store: ChatStore; state: ChatState }) {
  const s = state.search;
  if (s === null) return null;
  return (
    <section class="results" aria-label={t('resultsFor', { q: s.query })} aria-busy={s.loading}>
      <h2 class="results-title">{t('resultsFor', { q: s.query })}</h2>
      <ul>
        {s.hits.map((h) => <HitRow key={h.msgId} hit={h} state={state} store={store} />)}
      </ul>
      <p class="sidebar-note" role="status">
        {s.loading ? t('searching') : s.error !== null ? t('loadFailed', { why: s.error }) : s.hits.length === 0 ? t('noResults') : ''}
      </p>
      {s.more && !s.loading && <button type="button" class="secondary more" onClick={() => void runSearch(store, s.query, true)}>{t('moreResults')}</button>}
    </section>
  );
}

function HitRow({ hit, state, store }: { hit: SearchHit; state: ChatState; store: ChatStore }) {
  const room = state.rooms[hit.room];
  const who = hit.from === state.me.id ? t('you') : state.names[hit.from] ?? t('unknownUser');
  return (
    <li>
      <a class="hit" href={roomHref(hit.room)} data-room={hit.room} data-seq={hit.seq}
        onClick={() => void store.openAt(hit.room, hit.seq)}>
        <span class="hit-top">
          <span class="hit-room">{room?.name ?? hit.room}</span>
          <time class="room-time" dateTime={new Date(hit.ts).toISOString()} title={fullTime(hit.ts)}>{shortWhen(hit.ts)}</time>
        </span>
        <span class="hit-text">
          <span class="hit-who">{who}{state.people[hit.from]?.bot === true && <BotBadge />}: </span>
          {highlight(hit.snippet, hit.highlights).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : p.text))}
        </span>
      </a>
    </li>
  );
}
