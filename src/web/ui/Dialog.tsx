import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../i18n.js';

/** A modal dialog (the browser's <dialog>: focus kept inside, Escape closes, the page behind inert). */
export function Dialog({ title, onClose, children, wide = false }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} class={`dialog${wide ? ' wide' : ''}`} aria-labelledby="dialog-title" onClose={onClose}
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <header class="dialog-head">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" class="link-button" aria-label={t('close')} onClick={onClose}>✕</button>
      </header>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}
