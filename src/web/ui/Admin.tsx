import '../admin.css';
import { useEffect, useState } from 'preact/hooks';
import { adminApi, type AdminRoom, type AdminUser, type InviteLink } from '../admin-api.js';
import { api, type AdminStats } from '../api.js';
import { bytes, duration } from '../format.js';
import { t } from '../i18n.js';
import { AdminInvites } from './AdminInvites.js';
import { AdminRooms } from './AdminRooms.js';
import { AdminUsers } from './AdminUsers.js';

interface Loaded { users: AdminUser[]; rooms: AdminRoom[]; links: InviteLink[]; stats: AdminStats }

/** The server's health, users, rooms and invitation links, with their actions: admins only. */
export function Admin({ token, isAdmin, me }: { token: string; isAdmin: boolean; me: string }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);

  useEffect(() => {
    if (!isAdmin) return;
    let live = true;
    Promise.all([api.adminUsers(token), api.adminRooms(token), adminApi.links(token), api.adminStats(token)]).then(
      ([u, r, l, s]) => live && (setData({ users: u.users as AdminUser[], rooms: r.rooms, links: l.links, stats: s }), setError(null)),
      (err: Error) => live && setError(t('loadFailed', { why: err.message })),
    );
    return () => { live = false; };
  }, [token, n, isAdmin]);

  if (!isAdmin) return <section class="admin"><p>{t('adminOnly')}</p></section>;
  const reload = (): void => setN((x) => x + 1);
  const failed = (why: string): void => setError(t('actionFailed', { why }));
  return (
    <section class="admin" aria-labelledby="admin-title">
      <header class="admin-head">
        <a class="back link-button" href="#/">{t('backToChat')}</a>
        <h2 id="admin-title">{t('admin')}</h2>
        <button type="button" class="secondary" onClick={reload}>{t('refresh')}</button>
      </header>
      {error !== null && <p class="form-error" role="alert">{error}</p>}
      {data !== null && (
        <div class="admin-body">
          <h3>{t('health')}</h3>
          <dl class="stats">
            <div><dt>{t('status')}</dt><dd class={data.stats.healthy ? 'ok' : 'bad'}>{data.stats.healthy ? t('healthy') : t('unhealthy')}</dd></div>
            <div><dt>{t('uptime')}</dt><dd>{duration(data.stats.uptimeSeconds)}</dd></div>
            <div><dt>{t('connections')}</dt><dd>{data.stats.connections}</dd></div>
            <div><dt>{t('committed')}</dt><dd>{data.stats.messagesCommitted}</dd></div>
            <div><dt>{t('writerQueue')}</dt><dd>{data.stats.writerQueueDepth}</dd></div>
            <div><dt>{t('loopLag')}</dt><dd>{data.stats.eventLoopLagP99Ms} ms</dd></div>
            <div><dt>{t('memory')}</dt><dd>{bytes(data.stats.rssBytes)}</dd></div>
            <div><dt>Node.js</dt><dd>{data.stats.node}</dd></div>
          </dl>
          <AdminUsers token={token} me={me} users={data.users} onChanged={reload} onError={failed} />
          <AdminRooms token={token} rooms={data.rooms} users={data.users} onChanged={reload} onError={failed} />
          <AdminInvites token={token} links={data.links} rooms={data.rooms} onChanged={reload} onError={failed} />
        </div>
      )}
    </section>
  );
}
