import type { ConnState } from '../connection.js';
import { useNow } from '../hooks.js';
import { t } from '../i18n.js';

/** Always visible: whether messages flow right now, and when the next try is. */
export function ConnectionBadge({ state, onRetry }: { state: ConnState; onRetry: () => void }) {
  const now = useNow(state.kind === 'waiting');
  const text = state.kind === 'online' ? t('online')
    : state.kind === 'waiting' ? t('waiting', { s: Math.max(0, Math.ceil((state.retryAt - now) / 1000)) })
      : t('connecting');
  return (
    <div class={`conn conn-${state.kind}`} role="status" data-state={state.kind}>
      <span class="conn-dot" aria-hidden="true" />
      <span class="conn-text">{text}</span>
      {state.kind === 'waiting' && <button type="button" class="link-button" onClick={onRetry}>{t('retryNow')}</button>}
    </div>
  );
}
