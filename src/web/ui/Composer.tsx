import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import type { RoomState } from '../room-state.js';

const MAX_HEIGHT_PX = 180;

/** Multi-line input: Enter sends, Shift+Enter breaks the line, and an IME composition is never cut short. */
export function Composer({ store, room }: { store: ChatStore; room: RoomState }) {
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    // On a wide screen the cursor goes to the message box; on a phone that would pop the keyboard up.
    if (window.matchMedia('(min-width: 701px)').matches) area.current?.focus();
  }, []);

  useEffect(() => {
    const el = area.current;
    if (el === null) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  const send = (): void => {
    if (text.trim() === '') return;
    store.send(room.id, text);
    setText('');
  };

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); send(); }}>
      <label for="composer-input" class="visually-hidden">{t('messageLabel')}</label>
      <textarea id="composer-input" ref={area} rows={1} value={text} placeholder={t('messagePlaceholder', { room: room.name })}
        aria-describedby="composer-hint" enterkeyhint="send"
        onInput={(e) => {
          setText(e.currentTarget.value);
          if (e.currentTarget.value.trim() !== '') store.typing(room.id);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
            e.preventDefault();
            send();
          }
        }} />
      <span id="composer-hint" class="visually-hidden">{t('composerHint')}</span>
      <button type="submit" class="primary send" disabled={text.trim() === ''}>{t('send')}</button>
    </form>
  );
}
