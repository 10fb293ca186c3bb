import { useEffect, useState } from 'preact/hooks';
import { uploadAvatar } from '../avatar-upload.js';
import type { ChatState, ChatStore } from '../chat-store.js';
import { t } from '../i18n.js';
import type { HistoryRule, JoinRule, RoomRole } from '../protocol.js';
import { refusalText } from '../refusals.js';
import { inviteUser, leaveRoom, loadRoster, removeMember, setRole, updateRoom } from '../room-directory.js';
import { memberPowers, roomPowers } from '../room-powers.js';
import type { RoomState } from '../room-state.js';
import { roleWord } from '../timeline-events.js';
import { Avatar } from './Avatar.js';
import { BotBadge } from './BotBadge.js';
import { Integrations } from './Integrations.js';
import { Dialog } from './Dialog.js';
import { RuleFields } from './RoomDialogs.js';
import { UserPicker } from './UserPicker.js';

/**
 * A group room's settings, members and invitations, showing only what the
 * user's role allows (room-powers.ts asks the server's rules); a refusal
 * is shown in words.
 */
export function RoomSettingsDialog({ store, state, room, onClose }: { store: ChatStore; state: ChatState; room: RoomState; onClose: () => void }) {
  const [name, setName] = useState(room.name);
  const [topic, setTopic] = useState(room.topic);
  const [joinRule, setJoinRule] = useState<JoinRule>(room.joinRule);
  const [history, setHistory] = useState<HistoryRule>(room.history);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => { void loadRoster(store, room.id).catch((err) => setError(refusalText(err))); }, [room.id]);
  // The roster is the freshest word on the user's own role; the summary until it is read.
  const seen = { ...room, role: room.roles?.[state.me.id] ?? room.role };
  const powers = roomPowers(seen, state.me.role, room.roles);
  const run = async (action: () => Promise<unknown>, after?: () => void): Promise<void> => {
    setBusy(true);
    setSaved(false);
    try {
      await action();
      setError(null);
      after?.();
    } catch (err) {
      setError(refusalText(err));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: Event): void => {
    e.preventDefault();
    const change = {
      ...(powers.rename && name.trim() !== room.name ? { name: name.trim() } : {}),
      ...(powers.topic && topic.trim() !== room.topic ? { topic: topic.trim() } : {}),
      ...(powers.joinRule && joinRule !== room.joinRule ? { joinRule } : {}),
      ...(powers.history && history !== room.history ? { history } : {}),
    };
    if (Object.keys(change).length === 0) return;
    void run(() => updateRoom(store, room.id, change), () => setSaved(true));
  };
  const canEditAny = powers.rename || powers.topic || powers.joinRule || powers.history;
  const roles = room.roles ?? {};
  const label = (id: string): string => (id === state.me.id ? t('you') : state.names[id] ?? t('unknownUser'));
  const members = Object.keys(roles).sort((a, b) => label(a).localeCompare(label(b)));
  // The server decides (chat/policy.ts mayManageIntegrations); this only hides what would be refused.
  const mayManageIntegrations = room.kind === 'group' && (state.me.role === 'admin' || seen.role === 'owner' || seen.role === 'moderator');
  return (
    <Dialog title={t('roomSettings', { room: room.name })} onClose={onClose} wide>
      <form class="form" onSubmit={save} aria-label={t('roomDetails')}>
        <div class="avatar-field">
          <Avatar label={room.name} fileId={room.avatar} links={store.avatarLinks} />
          {powers.avatar && <AvatarButtons onFile={(f) => void run(async () => updateRoom(store, room.id, { avatar: await uploadAvatar(store.token, f) }))}
            onRemove={room.avatar !== null ? () => void run(() => updateRoom(store, room.id, { avatar: null })) : undefined} />}
        </div>
        <label for="settings-name">{t('roomName')}</label>
        <input id="settings-name" maxLength={64} value={name} readOnly={!powers.rename} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="settings-topic">{t('topic')}</label>
        <input id="settings-topic" maxLength={500} value={topic} readOnly={!powers.topic} onInput={(e) => setTopic(e.currentTarget.value)} />
        <RuleFields joinRule={joinRule} history={history} onJoinRule={setJoinRule} onHistory={setHistory}
          disabledJoin={!powers.joinRule} disabledHistory={!powers.history} />
        {canEditAny && <div class="form-actions"><button type="submit" class="primary" disabled={busy}>{t('save')}</button></div>}
        {saved && <p class="form-ok" role="status">{t('saved')}</p>}
      </form>
      {error !== null && <p class="form-error" role="alert">{error}</p>}
      <h3>{t('membersHeader')} ({members.length})</h3>
      <ul class="member-admin" aria-label={t('membersHeader')}>
        {members.map((id) => {
          const mp = id === state.me.id ? { remove: false, roles: [] as RoomRole[] } : memberPowers(seen, state.me.role, roles, id);
          const role = roles[id] ?? 'member';
          return (
            <li key={id} data-user={id}>
              <Avatar label={state.names[id] ?? '?'} fileId={state.people[id]?.avatar} links={store.avatarLinks} small />
              <span class="member-name">{label(id)}</span>
              {state.people[id]?.bot === true && <BotBadge />}
              {mp.roles.length > 0
                ? <select aria-label={t('roleOf', { name: label(id) })} value={role}
                  onChange={(e) => void run(() => setRole(store, room.id, id, e.currentTarget.value as RoomRole))}>
                  {[role, ...mp.roles].map((r) => <option key={r} value={r}>{roleWord(r)}</option>)}
                </select>
                : <span class="member-role">{roleWord(role)}</span>}
              {mp.remove && <button type="button" class="link-button danger" onClick={() => void run(() => removeMember(store, room.id, id))}>{t('remove')}</button>}
            </li>
          );
        })}
      </ul>
      {room.invitedUsers.length > 0 && (
        <>
          <h3>{t('invitedHeader')}</h3>
          <ul class="member-admin invited">
            {room.invitedUsers.map((i) => <li key={i.user} data-user={i.user}><span class="member-name">{label(i.user)}</span><span class="member-role">{t('invitedBy', { who: label(i.by) })}</span></li>)}
          </ul>
        </>
      )}
      {powers.invite && (
        <UserPicker store={store} state={state} label={t('inviteSomeone')}
          exclude={new Set([...members, ...room.invitedUsers.map((i) => i.user)])}
          onPick={(u) => void run(() => inviteUser(store, room.id, u.user))} />
      )}
      {mayManageIntegrations && <Integrations store={store} room={room.id} />}
      <div class="form-actions leave">
        {!powers.leave && <p class="conv-sub">{t('reasonLastOwner')}</p>}
        <button disabled={!powers.leave} type="button" class="secondary danger" onClick={() => void run(async () => { await leaveRoom(store, room.id); onClose(); location.hash = '#/'; })}>{t('leaveRoom')}</button>
      </div>
    </Dialog>
  );
}

/** Choose a picture (uploaded at once) or remove the current one. */
export function AvatarButtons({ onFile, onRemove }: { onFile: (f: File) => void; onRemove?: () => void }) {
  return (
    <span class="avatar-buttons">
      <label class="secondary button-link">
        {t('choosePicture')}
        <input type="file" accept="image/*" class="visually-hidden" onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          if (f !== undefined) onFile(f);
          e.currentTarget.value = '';
        }} />
      </label>
      {onRemove !== undefined && <button type="button" class="link-button" onClick={onRemove}>{t('removePicture')}</button>}
    </span>
  );
}
