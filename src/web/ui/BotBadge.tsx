import { t } from '../i18n.js';

/** Marks a name as a bot's (a hook, a webhook, a bot account), wherever a name shows. */
export function BotBadge() {
  return <span class="bot-badge" title={t('botTitle')}>{t('bot')}</span>;
}
