import { useState } from 'preact/hooks';
import { adminApi, type AdminRoom, type AdminUser } from '../admin-api.js';
import { at } from '../admin-text.js';
import { t } from '../i18n.js';
import { useAdminAction } from './use-admin-action.js';

interface Props { token: string; rooms: AdminRoom[]; users: AdminUser[]; onChanged: () => void; onError: (why: string) => void }

/** Rooms with their members: create a group room, add and remove members. */
export function AdminRooms({ token, rooms, users, onChanged, onError }: Props) {
  const [name, setName] = useState('');
  const [adding, setAdding] = useState<Record<string, string>>({});
  const [removing, setRemoving] = useState<Record<string, string>>({});
  const { busy, act } = useAdminAction(onChanged, onError);
  const names = new Map(users.map((u) => [u.id, u.name]));

  const create = (e: Event): void => {
    e.preventDefault();
    void act(async () => {
      await adminApi.createRoom(token, name.trim(), []);
      setName('');
    });
  };

  return (
    <section aria-labelledby="admin-rooms">
      <h3 id="admin-rooms">{t('rooms')} ({rooms.length})</h3>
      <form class="admin-form" onSubmit={create}>
        <label for="new-room">{at('roomName')}</label>
        <input id="new-room" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={64} />
        <button type="submit" class="primary" disabled={busy}>{at('addRoom')}</button>
      </form>
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('kind')}</th><th scope="col">{t('messages')}</th><th scope="col">{t('membersHeader')}</th></tr></thead>
          <tbody>
            {rooms.map((r) => {
              const outside = users.filter((u) => !u.disabled && !r.members.includes(u.id));
              const pick = adding[r.id] ?? '';
              const dropping = removing[r.id] ?? '';
              return (
                <tr key={r.id} data-room={r.name}>
                  <td>{r.name}</td><td>{r.kind === 'direct' ? t('direct') : t('group')}</td><td>{r.lastSeq}</td>
                  <td>
                    <p>{r.members.map((id) => names.get(id) ?? id).join(', ')}</p>
                    {r.kind === 'group' && r.members.length > 0 && (
                      <form class="inline-form" onSubmit={(e) => {
                        e.preventDefault();
                        if (dropping !== '') void act(() => adminApi.removeMember(token, r.id, dropping));
                      }}>
                        <select aria-label={at('pickMember', { room: r.name })} value={dropping} onChange={(e) => setRemoving({ ...removing, [r.id]: e.currentTarget.value })}>
                          <option value="">{at('pickMember', { room: r.name })}</option>
                          {r.members.map((id) => <option key={id} value={names.get(id) ?? id}>{names.get(id) ?? id}</option>)}
                        </select>
                        <button type="submit" class="secondary" disabled={busy || dropping === ''}>{at('removeMember')}</button>
                      </form>
                    )}
                    {r.kind === 'group' && outside.length > 0 && (
                      <form class="inline-form" onSubmit={(e) => {
                        e.preventDefault();
                        if (pick !== '') void act(() => adminApi.addMember(token, r.id, pick));
                      }}>
                        <select aria-label={at('pickUser', { room: r.name })} value={pick} onChange={(e) => setAdding({ ...adding, [r.id]: e.currentTarget.value })}>
                          <option value="">{at('pickUser', { room: r.name })}</option>
                          {outside.map((u) => <option key={u.id} value={u.name}>{u.name}</option>)}
                        </select>
                        <button type="submit" class="secondary" disabled={busy || pick === ''}>{at('addMember')}</button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
