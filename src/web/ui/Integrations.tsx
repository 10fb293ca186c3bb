import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import { integrationsApi, type IntegrationsReply } from '../integrations-api.js';
import { refusalText } from '../refusals.js';

/** What was just made and is shown once: a hook's URL or a webhook's secret. */
interface Shown { label: string; value: string }

/**
 * A room's integrations for its owners and moderators: incoming hooks (the
 * URL is shown once, with a copy button: only its hash is kept) and outgoing
 * webhooks (the signing secret likewise), and whether the assistant (when the
 * server has one) is in the room, with a button to invite or remove it.
 */
export function Integrations({ store, room }: { store: ChatStore; room: string }) {
  const [list, setList] = useState<IntegrationsReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [hookName, setHookName] = useState('');
  const [url, setUrl] = useState('');
  const [trigger, setTrigger] = useState('mention');
  const [webhookName, setWebhookName] = useState('');
  const [shown, setShown] = useState<Shown | null>(null);
  const [copied, setCopied] = useState(false);
  const token = store.token;
  const reload = async (): Promise<void> => setList(await integrationsApi.list(token, room));
  useEffect(() => { void reload().catch((err) => setError(refusalText(err))); }, [room]);
  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await action();
      await reload();
      setError(null);
    } catch (err) {
      setError(refusalText(err));
    } finally {
      setBusy(false);
    }
  };
  const show = (label: string, value: string): void => {
    setCopied(false);
    setShown({ label, value });
  };
  const copy = (text: string): void => {
    void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => undefined);
  };
  const createHook = (e: Event): void => {
    e.preventDefault();
    void run(async () => {
      const made = await integrationsApi.createHook(token, room, hookName.trim() || 'hook');
      setHookName('');
      show(t('hookUrl'), made.url);
    });
  };
  const addWebhook = (e: Event): void => {
    e.preventDefault();
    void run(async () => {
      const made = await integrationsApi.addWebhook(token, room, { url: url.trim(), trigger: trigger.trim(), name: webhookName.trim() || 'webhook' });
      setUrl('');
      setWebhookName('');
      show(t('webhookSecret'), made.secret);
    });
  };

  return (
    <section class="integrations" aria-labelledby="integrations-title">
      <h3 id="integrations-title">{t('integrations')}</h3>
      {error !== null && <p class="form-error" role="alert">{error}</p>}
      {shown !== null && (
        <div class="once" role="status">
          <p>{shown.label} — {t('shownOnce')}</p>
          <p class="link-row">
            <input class="link-url" readOnly value={shown.value} aria-label={shown.label} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="secondary" onClick={() => copy(shown.value)}>{copied ? t('copied') : t('copy')}</button>
          </p>
        </div>
      )}
      <h4>{t('incomingHooks')}</h4>
      <ul class="member-admin hooks" aria-label={t('incomingHooks')}>
        {(list?.hooks ?? []).map((h) => (
          <li key={h.id} data-hook={h.id}>
            <span class="member-name">{h.name}</span>
            <span class="member-role">{h.revokedAt === null ? h.botName : t('revoked')}</span>
            {h.revokedAt === null && (
              <button type="button" class="link-button danger" disabled={busy} onClick={() => void run(async () => { await integrationsApi.revokeHook(token, room, h.id); })}>{t('revoke')}</button>
            )}
          </li>
        ))}
      </ul>
      <form class="form inline-form" onSubmit={createHook} aria-label={t('newHook')}>
        <label for="hook-name">{t('hookName')}</label>
        <input id="hook-name" maxLength={64} value={hookName} onInput={(e) => setHookName(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy}>{t('createHook')}</button>
      </form>
      <h4>{t('outgoingWebhooks')}</h4>
      <ul class="member-admin webhooks" aria-label={t('outgoingWebhooks')}>
        {(list?.webhooks ?? []).map((w) => (
          <li key={w.id} data-webhook={w.id}>
            <span class="member-name">{w.trigger} → {w.url}</span>
            <span class="member-role">{w.botName}</span>
            <button type="button" class="link-button danger" disabled={busy} onClick={() => void run(async () => { await integrationsApi.removeWebhook(token, room, w.id); })}>{t('remove')}</button>
          </li>
        ))}
      </ul>
      <form class="form inline-form" onSubmit={addWebhook} aria-label={t('newWebhook')}>
        <label for="webhook-url">{t('webhookUrl')}</label>
        <input id="webhook-url" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        <label for="webhook-trigger">{t('webhookTrigger')}</label>
        <input id="webhook-trigger" value={trigger} list="webhook-triggers" onInput={(e) => setTrigger(e.currentTarget.value)} />
        <datalist id="webhook-triggers"><option value="mention" /><option value="any" /><option value="!command" /></datalist>
        <label for="webhook-name">{t('hookName')}</label>
        <input id="webhook-name" maxLength={64} value={webhookName} onInput={(e) => setWebhookName(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy}>{t('addWebhook')}</button>
      </form>
      {list?.assistant !== undefined && (
        <>
          <h4>{t('assistant')}</h4>
          <p class="assistant-member" data-member={String(list.assistant.member)}>
            {t(list.assistant.member ? 'assistantIn' : 'assistantOut', { name: list.assistant.botName })}{' '}
            <button type="button" class={list.assistant.member ? 'link-button danger' : 'secondary'} disabled={busy}
              onClick={() => void run(async () => { await integrationsApi.setAssistant(token, room, !(list.assistant?.member ?? false)); })}>
              {t(list.assistant.member ? 'remove' : 'assistantInvite')}
            </button>
          </p>
        </>
      )}
    </section>
  );
}
