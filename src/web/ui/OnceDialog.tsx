import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { at } from '../admin-text.js';

/**
 * A modal for what the server answers once (a generated password, a new
 * link): it stays until dismissed, and nothing keeps a copy afterwards.
 */
export function OnceDialog({ title, children, onClose }: { title: string; children: ComponentChildren; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} class="once-dialog" aria-labelledby="once-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h3 id="once-title">{title}</h3>
      {children}
      <button type="button" class="primary" onClick={onClose}>{at('done')}</button>
    </dialog>
  );
}
