import { useState } from 'preact/hooks';
import type { ChatStore } from '../chat-store.js';
import { fullTime } from '../format.js';
import { t } from '../i18n.js';
import type { User, WireMessage } from '../protocol.js';
import { EMOJI_GROUPS, QUICK_EMOJI } from '../emoji.js';
import { canEdit as mayEdit, deleteMessage, react } from '../room-actions.js';
import { windowStart, type RoomState } from '../room-state.js';
import { Attachments } from './Attachments.js';
import { MessageEditor } from './MessageEditor.js';
import { MessageText } from './MessageText.js';

interface Props {
  store: ChatStore;
  room: RoomState;
  m: WireMessage;
  me: User;
  names: Readonly<Record<string, string>>;
  editing: boolean;
  target: boolean;
  seenBy: readonly string[] | undefined;
}

/**
 * One message: the quoted message it replies to, its text (or the inline
 * editor, or a tombstone), files, reaction chips and "seen by", and a row of
 * actions that appears on hover or keyboard focus.
 */
export function MessageItem({ store, room, m, me, names, editing, target, seenBy }: Props) {
  const [menu, setMenu] = useState<'none' | 'emoji' | 'confirm'>('none');
  const [error, setError] = useState<string | null>(null);
  const nameOf = (id: string): string => names[id] ?? t('unknownUser');
  const mine = m.from === me.id;
  const deleted = m.deleted === true;
  const report = (p: Promise<string | null>): void => void p.then((why) => setError(why === null ? null : t('actionFailed', { why })));
  const toggle = (emoji: string, on: boolean): void => {
    setMenu('none');
    report(react(store, room.id, m.seq, emoji, on));
  };
  const canEdit = mayEdit(m, me.id, store.state.editWindowMs, Date.now());
  const canDelete = !deleted && (mine || me.role === 'admin' || (room.kind === 'group' && (room.role === 'moderator' || room.role === 'owner')));
  // Mentions are written with sign-in names (`@alice`), whatever name is shown for the person.
  const mentioned = (m.mentions ?? []).map((id) => store.state.people[id]?.name).filter((n): n is string => n !== undefined && n !== '');

  return (
    <div class={`msg${target ? ' target' : ''}${deleted ? ' deleted' : ''}${m.mentions?.includes(me.id) === true && !mine ? ' mentions-me' : ''}`}
      data-seq={m.seq} tabIndex={-1}>
      {m.replyTo !== undefined && !deleted && <ReplyQuote store={store} room={room} seq={m.replyTo} nameOf={nameOf} />}
      {deleted ? <p class="body tombstone">{t('deleted')}</p>
        : editing ? <MessageEditor store={store} room={room.id} m={m} />
          : (m.body !== '' || m.attachments === undefined) && (
            <p class="body" title={fullTime(m.ts)}>
              <MessageText text={m.body} mentioned={mentioned} myName={me.name} />
              {m.editedAt !== undefined && <span class="edited" title={fullTime(m.editedAt)}> ({t('edited')})</span>}
            </p>
          )}
      {!deleted && m.attachments !== undefined && <Attachments files={m.attachments} links={store.fileLinks} />}
      {!deleted && m.reactions !== undefined && m.reactions.length > 0 && (
        <div class="reactions">
          {m.reactions.map((r) => (
            <button key={r.emoji} type="button" class={`chip${r.me ? ' me' : ''}`} aria-pressed={r.me}
              aria-label={t('reactionCount', { emoji: r.emoji, n: r.count })} onClick={() => toggle(r.emoji, !r.me)}>
              {r.emoji} {r.count}
            </button>
          ))}
        </div>
      )}
      {!deleted && !editing && (
        <div class={`actions${menu !== 'none' ? ' open' : ''}`} role="toolbar" aria-label={t('actionsFor', { who: mine ? t('you') : nameOf(m.from) })}>
          {menu === 'confirm' ? (
            <>
              <span class="confirm-text">{t('deleteConfirm')}</span>
              <button type="button" class="act danger" onClick={() => { setMenu('none'); report(deleteMessage(store, room.id, m.seq)); }}>{t('delete')}</button>
              <button type="button" class="act" onClick={() => setMenu('none')}>{t('cancel')}</button>
            </>
          ) : menu === 'emoji' ? (
            <EmojiPicker mine={(e) => m.reactions?.find((r) => r.emoji === e)?.me === true} onPick={(e, on) => toggle(e, on)} onClose={() => setMenu('none')} />
          ) : (
            <>
              <button type="button" class="act" onClick={() => store.patch({ replyTo: { room: room.id, seq: m.seq }, editing: null })}>{t('reply')}</button>
              <button type="button" class="act" onClick={() => setMenu('emoji')}>{t('react')}</button>
              {canEdit && <button type="button" class="act" onClick={() => store.patch({ editing: { room: room.id, seq: m.seq } })}>{t('edit')}</button>}
              {canDelete && <button type="button" class="act" onClick={() => setMenu('confirm')}>{t('delete')}</button>}
            </>
          )}
        </div>
      )}
      {error !== null && <p class="send-state action-error" role="alert">{error}</p>}
      {seenBy !== undefined && <p class="seen">{t('seenBy', { names: seenBy.map(nameOf).join(', ') })}</p>}
    </div>
  );
}

/** The message replied to, shortened; choosing it scrolls there (loading that stretch of history if needed). */
function ReplyQuote({ store, room, seq, nameOf }: { store: ChatStore; room: RoomState; seq: number; nameOf: (id: string) => string }) {
  const q = room.messages[seq - windowStart(room)];
  const known = q !== undefined && q.seq === seq;
  const who = known ? nameOf(q.from) : '';
  const text = !known ? t('earlierMessage') : q.deleted === true ? t('deleted') : q.body !== '' ? q.body : (q.attachments?.[0]?.name ?? '');
  return (
    <button type="button" class="reply-quote" onClick={() => void store.openAt(room.id, seq)}
      aria-label={t('replyTo', { who, text: text.slice(0, 80) })}>
      {known && <span class="quote-who">{who}</span>}
      <span class="quote-text">{text.replace(/\s+/g, ' ').slice(0, 140)}</span>
    </button>
  );
}

/** The quick reactions, then common emoji in groups; a chosen one toggles the user's reaction. */
function EmojiPicker({ mine, onPick, onClose }: { mine: (emoji: string) => boolean; onPick: (emoji: string, on: boolean) => void; onClose: () => void }) {
  const [all, setAll] = useState(false);
  const button = (e: string) => {
    const on = mine(e);
    return <button key={e} type="button" class="act emoji" aria-label={t('reactWith', { emoji: e })} aria-pressed={on} onClick={() => onPick(e, !on)}>{e}</button>;
  };
  return (
    <div class="emoji-picker" onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
      <div class="emoji-row">
        {QUICK_EMOJI.map(button)}
        {!all && <button type="button" class="act" aria-label={t('emojiMore')} title={t('emojiMore')} aria-expanded={false} onClick={() => setAll(true)}>＋</button>}
        <button type="button" class="act" onClick={onClose} aria-label={t('cancel')}>✕</button>
      </div>
      {all && EMOJI_GROUPS.map((g) => (
        <div key={g.key} class="emoji-group" role="group" aria-label={t(`emojiGroup_${g.key}`)}>
          <p class="emoji-group-name" aria-hidden="true">{t(`emojiGroup_${g.key}`)}</p>
          <div class="emoji-grid">{g.emoji.map(button)}</div>
        </div>
      ))}
    </div>
  );
}
