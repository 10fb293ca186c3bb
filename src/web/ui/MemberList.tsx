import { t } from '../i18n.js';
import type { PresenceState } from '../protocol.js';
import { BotBadge } from './BotBadge.js';
import { PresenceDot } from './RoomSettings.js';

const ORDER: Record<PresenceState, number> = { online: 0, away: 1, offline: 2 };

/**
 * A group room's "N members" line, which opens into who they are and who is
 * online (presence is pushed for rooms up to the server's presenceMaxRoomSize;
 * in bigger rooms the names show without dots). A native <details>, so it
 * opens by keyboard and is announced as expandable without any script.
 */
export function MemberList({ members, names, presence, bots = new Set() }: {
  members: readonly string[];
  names: Readonly<Record<string, string>>;
  presence: Readonly<Record<string, PresenceState>>;
  /** Which of them are bots: their names carry the bot mark. */
  bots?: ReadonlySet<string>;
}) {
  const online = members.filter((id) => presence[id] === 'online').length;
  const sorted = [...members].sort((a, b) => (ORDER[presence[a] ?? 'offline'] - ORDER[presence[b] ?? 'offline'])
    || (names[a] ?? '').localeCompare(names[b] ?? ''));
  return (
    <details class="roster">
      <summary class="conv-sub">{t('members', { n: members.length })}{online > 0 ? ` · ${t('onlineCount', { n: online })}` : ''}</summary>
      <ul aria-label={t('membersHeader')}>
        {sorted.map((id) => (
          <li key={id} data-user={id}>
            <span class="roster-dot"><PresenceDot state={presence[id]} /></span>
            {names[id] ?? t('unknownUser')}
            {bots.has(id) && <BotBadge />}
          </li>
        ))}
      </ul>
    </details>
  );
}
