import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatState, ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import { mentionAt, suggest } from '../mentions.js';
import { roomTitle } from '../people.js';
import type { RoomState } from '../room-state.js';
import type { Uploads } from './use-uploads.js';

const MAX_HEIGHT_PX = 180;

/**
 * Multi-line input: Enter sends, Shift+Enter breaks the line, and an IME
 * composition is never cut short. Also: the message being replied to, files
 * staged for sending (attach button, paste; drops land here via the
 * conversation), and @-mention suggestions from the room's members.
 */
export function Composer({ store, state, room, uploads }: { store: ChatStore; state: ChatState; room: RoomState; uploads: Uploads }) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [pick, setPick] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const filePicker = useRef<HTMLInputElement>(null);
  /** Where the caret goes once a chosen mention is in the box (setting the value moves it to the end). */
  const caretAfter = useRef<number | null>(null);
  const replyTo = state.replyTo?.room === room.id ? state.replyTo.seq : null;

  useLayoutEffect(() => {
    // On a wide screen the cursor goes to the message box; on a phone that would pop the keyboard up.
    // Never from a field the user is already typing in: opening a room and going straight to the
    // search box must not send the search words into the message (CI caught that race).
    const active = document.activeElement;
    const typingElsewhere = active instanceof HTMLElement && active !== area.current && active.matches('input, textarea, select, [contenteditable]');
    if (!typingElsewhere && window.matchMedia('(min-width: 701px)').matches) area.current?.focus();
  }, [replyTo]);

  useEffect(() => {
    const el = area.current;
    if (el === null) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  useLayoutEffect(() => {
    const at = caretAfter.current;
    if (at === null) return;
    caretAfter.current = null;
    area.current?.setSelectionRange(at, at);
  }, [text]);

  const typed = dismissed ? null : mentionAt(text, caret);
  const candidates = typed === null ? [] : suggest(
    (room.members ?? []).filter((id) => id !== state.me.id).map((id) => state.people[id]?.name).filter((n): n is string => n !== undefined && n !== ''),
    typed.query,
  );
  /** "Ada Lovelace (@ada)" when the person has a display name, else "@ada". */
  const shownAs = (login: string): string => {
    const id = Object.keys(state.people).find((k) => state.people[k]?.name === login);
    const label = id === undefined ? undefined : state.names[id];
    return label !== undefined && label !== login ? `${label} (@${login})` : `@${login}`;
  };
  const choose = (name: string): void => {
    if (typed === null) return;
    const before = `${text.slice(0, typed.start)}@${name} `;
    setText(before + text.slice(caret));
    setCaret(before.length);
    caretAfter.current = before.length;
  };

  const canSend = !uploads.busy && (text.trim() !== '' || uploads.ready);
  const send = (): void => {
    if (!canSend) return;
    const attachments = uploads.take();
    store.send(room.id, text, { ...(replyTo !== null ? { replyTo } : {}), ...(attachments.length > 0 ? { attachments } : {}) });
    if (replyTo !== null) store.patch({ replyTo: null });
    setText('');
  };
  const quoted = replyTo === null ? undefined : room.messages.find((m) => m.seq === replyTo);

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); send(); }}>
      {replyTo !== null && (
        <div class="replying">
          <span class="replying-text">{t('replyingTo', { who: quoted === undefined ? '' : state.names[quoted.from] ?? t('unknownUser') })}
            {quoted !== undefined && <q>{quoted.body.replace(/\s+/g, ' ').slice(0, 100)}</q>}</span>
          <button type="button" class="link-button" onClick={() => store.patch({ replyTo: null })}>{t('cancelReply')}</button>
        </div>
      )}
      {uploads.staged.length > 0 && (
        <ul class="staged" aria-live="polite">
          {uploads.staged.map((s) => (
            <li key={s.key} class={s.error !== null ? 'failed' : s.file !== null ? 'done' : 'uploading'}>
              {s.error !== null ? <span role="alert">{s.error}</span>
                : s.file !== null ? <span>{s.name}</span>
                  : <label>{t('uploading', { name: s.name, pct: Math.round(s.progress * 100) })} <progress max={1} value={s.progress} /></label>}
              <button type="button" class="link-button" aria-label={t('removeFile', { name: s.name })} onClick={() => uploads.remove(s.key)}>✕</button>
            </li>
          ))}
        </ul>
      )}
      {candidates.length > 0 && (
        <ul class="mention-list" role="listbox" id="mention-list" aria-label={t('mentionSuggestions')}>
          {candidates.map((n, i) => (
            <li key={n} role="option" id={`mention-${i}`} aria-selected={i === pick % candidates.length}
              onMouseDown={(e) => { e.preventDefault(); choose(n); }}>{shownAs(n)}</li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        <input ref={filePicker} type="file" multiple hidden onChange={(e) => {
          const files = e.currentTarget.files;
          if (files !== null) uploads.add(files);
          e.currentTarget.value = '';
        }} />
        <button type="button" class="attach" aria-label={t('attach')} title={t('attach')} onClick={() => filePicker.current?.click()}>📎</button>
        <label for="composer-input" class="visually-hidden">{t('messageLabel')}</label>
        <textarea id="composer-input" ref={area} rows={1} value={text} placeholder={t('messagePlaceholder', { room: roomTitle(room, state.names, state.me.id) })}
          aria-describedby="composer-hint" enterkeyhint="send" aria-autocomplete="list"
          aria-expanded={candidates.length > 0} aria-controls={candidates.length > 0 ? 'mention-list' : undefined}
          aria-activedescendant={candidates.length > 0 ? `mention-${pick % candidates.length}` : undefined}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setCaret(e.currentTarget.selectionStart ?? e.currentTarget.value.length);
            setPick(0);
            setDismissed(false);
            if (e.currentTarget.value.trim() !== '') store.typing(room.id);
          }}
          onKeyUp={(e) => { if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') setCaret(e.currentTarget.selectionStart ?? 0); }}
          onClick={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onPaste={(e) => {
            const files = e.clipboardData?.files;
            if (files !== undefined && files.length > 0) {
              e.preventDefault();
              uploads.add(files);
            }
          }}
          onKeyDown={(e) => {
            if (candidates.length > 0) {
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : candidates.length - 1)) % candidates.length);
                return;
              }
              if ((e.key === 'Enter' || e.key === 'Tab') && !e.isComposing) {
                e.preventDefault();
                choose(candidates[pick % candidates.length] ?? '');
                return;
              }
              if (e.key === 'Escape') {
                e.preventDefault();
                setDismissed(true);
                return;
              }
            }
            if (e.key === 'Escape' && replyTo !== null) store.patch({ replyTo: null });
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
              e.preventDefault();
              send();
            }
          }} />
        <span id="composer-hint" class="visually-hidden">{t('composerHint')}</span>
        <button type="submit" class="primary send" disabled={!canSend}>{t('send')}</button>
      </div>
    </form>
  );
}
