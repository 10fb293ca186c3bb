import { useState } from 'preact/hooks';
import { adminApi, type AdminRoom, type InviteLink } from '../admin-api.js';
import { at, type AdminTextKey } from '../admin-text.js';
import { shortDateTime } from '../format.js';
import { OnceDialog } from './OnceDialog.js';
import { QrCode } from './QrCode.js';
import { useAdminAction } from './use-admin-action.js';

interface Props { token: string; links: InviteLink[]; rooms: AdminRoom[]; onChanged: () => void; onError: (why: string) => void }

const EXPIRY_HOURS = [24, 72, 168, 720];
const STATE: Record<InviteLink['state'], AdminTextKey> = { usable: 'stateUsable', expired: 'stateExpired', spent: 'stateSpent', revoked: 'stateRevoked' };

const expiryLabel = (h: number): string => (h % 24 === 0 ? at('days', { n: h / 24 }) : at('hours', { n: h }));

/** Invitation links: make one (shown once, with its QR code), list them, revoke one. */
export function AdminInvites({ token, links, rooms, onChanged, onError }: Props) {
  const [hours, setHours] = useState(168);
  const [uses, setUses] = useState(1);
  const [picked, setPicked] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const { busy, act } = useAdminAction(onChanged, onError);
  const [made, setMade] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const groups = rooms.filter((r) => r.kind === 'group');
  const roomName = new Map(rooms.map((r) => [r.id, r.name]));

  const create = (e: Event): void => {
    e.preventDefault();
    void act(async () => {
      const r = await adminApi.createLink(token, { expiresInHours: hours, maxUses: uses, rooms: picked, note: note.trim() });
      setCopied(false);
      setMade(r.url.startsWith('/') ? location.origin + r.url : r.url);
      setNote('');
    });
  };
  const copy = (url: string): void => {
    void navigator.clipboard?.writeText(url).then(() => setCopied(true), () => undefined);
  };

  return (
    <section aria-labelledby="admin-links">
      <h3 id="admin-links">{at('inviteLinks')}</h3>
      <form class="admin-form link-form" onSubmit={create} aria-label={at('newLink')}>
        <label for="link-expiry">{at('expiresIn')}</label>
        <select id="link-expiry" value={String(hours)} onChange={(e) => setHours(Number(e.currentTarget.value))}>
          {EXPIRY_HOURS.map((h) => <option key={h} value={String(h)}>{expiryLabel(h)}</option>)}
        </select>
        <label for="link-uses">{at('uses')}</label>
        <input id="link-uses" type="number" min={1} max={1000} value={uses} onInput={(e) => setUses(Math.max(1, Math.floor(Number(e.currentTarget.value) || 1)))} />
        <fieldset>
          <legend>{at('linkRooms')}</legend>
          {groups.map((r) => (
            <label key={r.id} class="check">
              <input type="checkbox" checked={picked.includes(r.id)}
                onChange={(e) => setPicked(e.currentTarget.checked ? [...picked, r.id] : picked.filter((id) => id !== r.id))} /> {r.name}
            </label>
          ))}
        </fieldset>
        <label for="link-note">{at('note')}</label>
        <input id="link-note" value={note} maxLength={200} onInput={(e) => setNote(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy}>{at('createLink')}</button>
      </form>
      {links.length === 0 ? <p>{at('noLinks')}</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{at('note')}</th><th scope="col">{at('state')}</th><th scope="col">{at('uses')}</th><th scope="col">{at('expires')}</th><th scope="col">{at('linkRooms')}</th><th scope="col" /></tr></thead>
            <tbody>
              {links.map((l) => (
                <tr key={l.id} data-link={l.id}>
                  <td>{l.note || l.id}</td><td>{at(STATE[l.state])}</td><td>{l.uses}/{l.maxUses}</td><td>{shortDateTime(l.expiresAt)}</td>
                  <td>{l.rooms.map((id) => roomName.get(id) ?? id).join(', ')}</td>
                  <td>{l.state === 'usable' && (
                    <button type="button" class="secondary" disabled={busy} onClick={() => void act(() => adminApi.revokeLink(token, l.id))}>{at('revoke')}</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {made !== null && (
        <OnceDialog title={at('linkReady')} onClose={() => setMade(null)}>
          <p>{at('linkOnceHint')}</p>
          <QrCode text={made} label={at('qrAlt')} />
          <p class="link-row">
            <input class="link-url" readOnly value={made} aria-label={at('linkReady')} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="secondary" onClick={() => copy(made)}>{copied ? at('copied') : at('copy')}</button>
          </p>
        </OnceDialog>
      )}
    </section>
  );
}
