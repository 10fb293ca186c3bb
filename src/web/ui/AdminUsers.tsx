import { useState } from 'preact/hooks';
import { adminApi, type AdminUser } from '../admin-api.js';
import { at } from '../admin-text.js';
import { shortDateTime } from '../format.js';
import { t } from '../i18n.js';
import { OnceDialog } from './OnceDialog.js';
import { useAdminAction } from './use-admin-action.js';

interface Props { token: string; me: string; users: AdminUser[]; onChanged: () => void; onError: (why: string) => void }

/** Users with their actions; a generated password is shown once, in a dialog. */
export function AdminUsers({ token, me, users, onChanged, onError }: Props) {
  const [name, setName] = useState('');
  const [asAdmin, setAsAdmin] = useState(false);
  const { busy, act } = useAdminAction(onChanged, onError);
  const [shown, setShown] = useState<{ name: string; password: string } | null>(null);

  const create = (e: Event): void => {
    e.preventDefault();
    void act(async () => {
      const r = await adminApi.createUser(token, name.trim(), asAdmin ? 'admin' : 'member');
      setShown({ name: r.user.name, password: r.password });
      setName('');
      setAsAdmin(false);
    });
  };
  const reset = (u: AdminUser): Promise<void> => act(async () => {
    const r = await adminApi.resetPassword(token, u.name);
    setShown({ name: u.name, password: r.password });
  });
  const disable = (u: AdminUser): void => {
    if (confirm(at('confirmDisable', { name: u.name }))) void act(() => adminApi.disable(token, u.name));
  };

  return (
    <section aria-labelledby="admin-users">
      <h3 id="admin-users">{t('users')} ({users.length})</h3>
      <form class="admin-form" onSubmit={create}>
        <label for="new-user">{at('newUserName')}</label>
        <input id="new-user" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={32}
          autocapitalize="none" autocomplete="off" spellcheck={false} pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,31}" />
        <label class="check"><input type="checkbox" checked={asAdmin} onChange={(e) => setAsAdmin(e.currentTarget.checked)} /> {at('makeAdmin')}</label>
        <button type="submit" class="primary" disabled={busy}>{at('addUser')}</button>
      </form>
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('role')}</th><th scope="col">{t('status')}</th><th scope="col">{t('created')}</th><th scope="col">{at('usersActions')}</th></tr></thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-user={u.name}>
                <td>{u.name}</td><td>{u.role}</td><td>{u.disabled ? t('disabled') : t('active')}</td><td>{shortDateTime(u.createdAt)}</td>
                <td class="row-actions">
                  <button type="button" class="secondary" disabled={busy} onClick={() => void reset(u)}>{at('resetPassword')}</button>
                  {u.name !== me && (u.disabled
                    ? <button type="button" class="secondary" disabled={busy} onClick={() => void act(() => adminApi.enable(token, u.name))}>{at('enable')}</button>
                    : <button type="button" class="secondary" disabled={busy} onClick={() => disable(u)}>{at('disable')}</button>)}
                  {u.name !== me && (
                    <button type="button" class="secondary" disabled={busy}
                      onClick={() => void act(() => adminApi.setRole(token, u.name, u.role === 'admin' ? 'member' : 'admin'))}>
                      {u.role === 'admin' ? at('toMember') : at('toAdmin')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown !== null && (
        <OnceDialog title={at('passwordOnceTitle', { name: shown.name })} onClose={() => setShown(null)}>
          <p>{at('passwordOnceHint', { name: shown.name })}</p>
          <p><code class="secret" data-testid="once-password">{shown.password}</code></p>
        </OnceDialog>
      )}
    </section>
  );
}
