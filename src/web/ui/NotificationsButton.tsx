import { useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { askNotificationPermission, notificationsAvailable } from '../notifications.js';

/**
 * Offered until the browser has the user's answer (browsers ask only on a
 * click); from then on each room's notification level decides. Not shown
 * where the browser has no notifications (a plain-HTTP page on the LAN).
 */
export function NotificationsButton() {
  const [permission, setPermission] = useState(notificationsAvailable() ? Notification.permission : 'denied');
  if (permission !== 'default') return null;
  return (
    <button type="button" class="link-button" title={t('desktopNotificationsHint')} onClick={() => void askNotificationPermission().then(setPermission)}>
      {t('desktopNotifications')}
    </button>
  );
}
