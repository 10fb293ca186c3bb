import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import type { WireMessage } from '../protocol.js';
import { editMessage } from '../room-actions.js';

/** Edits a message in place: Enter saves, Shift+Enter breaks the line, Escape cancels. */
export function MessageEditor({ store, room, m }: { store: ChatStore; room: string; m: WireMessage }) {
  const [text, setText] = useState(m.body);
  const [error, setError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  // A layout effect, not useEffect: focus and caret must be set in the task that shows the
  // editor. A frame later, the caret jump can land between "select all" and typing (a fast
  // typist, or Playwright's fill), and the new text is appended to the old.
  useLayoutEffect(() => {
    const el = area.current;
    if (el === null) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const close = (): void => {
    store.patch({ editing: null });
    // Back to the message, so keyboard users keep their place.
    document.querySelector<HTMLElement>(`.msg[data-seq="${m.seq}"]`)?.focus();
  };
  const save = async (): Promise<void> => {
    if (text.trim() === '' || text === m.body) return close();
    const why = await editMessage(store, room, m.seq, text);
    if (why === null) close();
    else setError(t('actionFailed', { why }));
  };
  return (
    <div class="editor">
      <textarea ref={area} class="edit-input" value={text} aria-label={t('editLabel')} title={t('editHint')} rows={Math.min(6, text.split('\n').length)}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            close();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
            e.preventDefault();
            void save();
          }
        }} />
      <span class="edit-hint">{t('editHint')}</span>
      {error !== null && <p class="send-state" role="alert">{error}</p>}
    </div>
  );
}
