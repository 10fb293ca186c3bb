import { useEffect, useState } from 'preact/hooks';
import { api, type AdminStats } from '../api.js';
import { bytes, duration, shortDateTime } from '../format.js';
import { t } from '../i18n.js';

type Users = Awaited<ReturnType<typeof api.adminUsers>>['users'];
type Rooms = Awaited<ReturnType<typeof api.adminRooms>>['rooms'];

interface Loaded { users: Users; rooms: Rooms; stats: AdminStats }

/** Users, rooms with their members, and the server's health: read-only, admins only. */
export function Admin({ token, isAdmin }: { token: string; isAdmin: boolean }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);

  useEffect(() => {
    if (!isAdmin) return;
    let live = true;
    Promise.all([api.adminUsers(token), api.adminRooms(token), api.adminStats(token)]).then(
      ([u, r, s]) => live && (setData({ users: u.users, rooms: r.rooms, stats: s }), setError(null)),
      (err: Error) => live && setError(err.message),
    );
    return () => { live = false; };
  }, [token, n, isAdmin]);

  if (!isAdmin) return <section class="admin"><p>{t('adminOnly')}</p></section>;
  const names = new Map((data?.users ?? []).map((u) => [u.id, u.name]));
  return (
    <section class="admin" aria-labelledby="admin-title">
      <header class="admin-head">
        <a class="back link-button" href="#/">{t('backToChat')}</a>
        <h2 id="admin-title">{t('admin')}</h2>
        <button type="button" class="secondary" onClick={() => setN(n + 1)}>{t('refresh')}</button>
      </header>
      {error !== null && <p class="form-error" role="alert">{t('loadFailed', { why: error })}</p>}
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
          <h3>{t('users')} ({data.users.length})</h3>
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('role')}</th><th scope="col">{t('status')}</th><th scope="col">{t('created')}</th></tr></thead>
              <tbody>
                {data.users.map((u) => (
                  <tr key={u.id}><td>{u.name}</td><td>{u.role}</td><td>{u.disabled ? t('disabled') : t('active')}</td><td>{shortDateTime(u.createdAt)}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>{t('rooms')} ({data.rooms.length})</h3>
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('kind')}</th><th scope="col">{t('messages')}</th><th scope="col">{t('membersHeader')}</th></tr></thead>
              <tbody>
                {data.rooms.map((r) => (
                  <tr key={r.id}>
                    <td>{r.name}</td><td>{r.kind === 'direct' ? t('direct') : t('group')}</td><td>{r.lastSeq}</td>
                    <td>{r.members.map((id) => names.get(id) ?? id).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
