import { Component, createRef } from 'preact';
import type { ChatStore } from '../chat-store.js';
import { dayLabel, fullTime, timeLabel } from '../format.js';
import { t } from '../i18n.js';
import { buildRows, seenAt } from '../message-rows.js';
import type { User, WireMessage } from '../protocol.js';
import { atLatest, windowEnd, type PendingSend, type RoomState } from '../room-state.js';
import { BotBadge } from './BotBadge.js';
import { MessageItem } from './MessageItem.js';
import { MessageText } from './MessageText.js';
import { describeEvent } from '../timeline-events.js';

interface Props {
  store: ChatStore;
  room: RoomState;
  me: User;
  /** The seq of the message being edited in this room, if any. */
  editing: number | null;
  names: Readonly<Record<string, string>>;
  divider: number | null;
  target: { seq: number; n: number } | null;
}

interface Snapshot { prependedFromBottom: number | null; wasAtBottom: boolean }

/** Closer than this to an edge counts as being there (rounding, a partly visible last line). */
const EDGE_PX = 48;
/** Older history is asked for this far before the top is reached, so scrolling rarely waits. */
const PREFETCH_PX = 600;

/**
 * The scrolling history of one room. It keeps the reader's place: loading
 * older messages above leaves the view where it was, new messages scroll in
 * only when the reader is at the bottom, and a search result is centred.
 */
export class MessageList extends Component<Props, { atBottom: boolean }> {
  private readonly box = createRef<HTMLDivElement>();
  private wantBottom = false;
  override state = { atBottom: true };

  override shouldComponentUpdate(next: Props, nextState: { atBottom: boolean }): boolean {
    const a = this.props;
    const r = a.room;
    const n = next.room;
    return r.messages !== n.messages || r.pending !== n.pending || r.receipts !== n.receipts || r.hasOlder !== n.hasOlder
      || r.loadingOlder !== n.loadingOlder || r.lastSeq !== n.lastSeq || r.loaded !== n.loaded || a.names !== next.names
      || a.divider !== next.divider || a.editing !== next.editing || a.target !== next.target || this.state.atBottom !== nextState.atBottom;
  }

  override componentDidMount(): void {
    this.initialScroll();
    window.addEventListener('focus', this.markRead);
    document.addEventListener('visibilitychange', this.markRead);
  }

  override componentWillUnmount(): void {
    window.removeEventListener('focus', this.markRead);
    document.removeEventListener('visibilitychange', this.markRead);
  }

  override getSnapshotBeforeUpdate(prev: Props): Snapshot {
    const el = this.box.current;
    const before = prev.room.messages;
    const after = this.props.room.messages;
    const prepended = el !== null && before.length > 0 && after.length > before.length
      && after[after.length - 1] === before[before.length - 1] && after[0] !== before[0];
    return {
      prependedFromBottom: prepended && el !== null ? el.scrollHeight - el.scrollTop : null,
      wasAtBottom: this.isAtBottom(),
    };
  }

  override componentDidUpdate(prev: Props, _prevState: unknown, snap: Snapshot): void {
    const el = this.box.current;
    if (el === null) return;
    if (this.props.target !== null && this.props.target !== prev.target) this.scrollToTarget();
    else if (!prev.room.loaded && this.props.room.loaded) this.initialScroll();
    else if (snap.prependedFromBottom !== null) el.scrollTop = el.scrollHeight - snap.prependedFromBottom;
    else if (this.wantBottom || (snap.wasAtBottom && this.props.target === null)) this.toBottom();
    else if (this.props.target !== null && prev.room.messages.length === 0) this.scrollToTarget();
    if (this.wantBottom && atLatest(this.props.room)) this.wantBottom = false;
    this.fillViewport();
    this.markRead();
  }

  private isAtBottom(): boolean {
    const el = this.box.current;
    return el === null || el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
  }

  private toBottom(): void {
    const el = this.box.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
  }

  private initialScroll(): void {
    const el = this.box.current;
    if (el === null || !this.props.room.loaded) return;
    if (this.props.target !== null) return this.scrollToTarget();
    const divider = el.querySelector('.divider');
    if (divider !== null) divider.scrollIntoView({ block: 'start' });
    else this.toBottom();
    this.fillViewport();
    this.markRead();
  }

  private scrollToTarget(): void {
    const target = this.props.target;
    const row = target === null ? null : this.box.current?.querySelector<HTMLElement>(`[data-seq="${target.seq}"]`);
    if (row === null || row === undefined) return;
    row.scrollIntoView({ block: 'center' });
    row.focus({ preventScroll: true });
  }

  /** A short window that does not fill the view cannot be scrolled up: fetch more at once. */
  private fillViewport(): void {
    const el = this.box.current;
    const r = this.props.room;
    if (el !== null && r.loaded && r.hasOlder && !r.loadingOlder && el.scrollHeight <= el.clientHeight + EDGE_PX) void this.props.store.loadOlder(r.id);
  }

  private readonly markRead = (): void => {
    const r = this.props.room;
    if (document.visibilityState !== 'visible' || !this.isAtBottom() || r.messages.length === 0) return;
    this.props.store.markRead(r.id, windowEnd(r));
  };

  private readonly onScroll = (): void => {
    const el = this.box.current;
    if (el === null) return;
    const r = this.props.room;
    if (el.scrollTop < PREFETCH_PX && r.hasOlder && !r.loadingOlder) void this.props.store.loadOlder(r.id);
    const atBottom = this.isAtBottom();
    if (atBottom && !atLatest(r)) void this.props.store.loadNewer(r.id);
    if (atBottom !== this.state.atBottom) this.setState({ atBottom });
    if (atBottom) this.markRead();
  };

  /** Up and Down move between messages, so the keyboard reaches each one's actions (they show on focus). */
  private readonly onKeyDown = (e: KeyboardEvent): void => {
    if ((e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || !(e.target instanceof HTMLElement)) return;
    if (e.target.closest('textarea, input, select') !== null) return;
    const rows = [...(this.box.current?.querySelectorAll<HTMLElement>('.msg[data-seq]') ?? [])];
    const at = rows.indexOf(e.target.closest<HTMLElement>('.msg[data-seq]') as HTMLElement);
    const next = rows[at === -1 ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, at + (e.key === 'ArrowUp' ? -1 : 1)))];
    if (next === undefined) return;
    e.preventDefault();
    next.focus();
  };

  private readonly jump = (): void => {
    this.wantBottom = true;
    this.props.store.jumpToLatest(this.props.room.id);
    this.toBottom();
    this.setState({ atBottom: true });
  };

  override render() {
    const { store, room, me, names, divider, target, editing } = this.props;
    const rows = buildRows(room.messages, divider);
    const seen = seenAt(room.messages, room.receipts);
    const nameOf = (id: string): string => names[id] ?? t('unknownUser');
    const showJump = room.loaded && (!this.state.atBottom || !atLatest(room));
    return (
      <div class="messages-wrap">
        <div class="messages" ref={this.box} onScroll={this.onScroll} onKeyDown={this.onKeyDown} role="log" tabIndex={0}
          aria-label={t('messagesLabel', { room: room.name })} aria-busy={!room.loaded || room.loadingOlder}>
          <p class="history-edge">{room.loaded && !room.hasOlder ? t('beginning') : room.hasOlder || !room.loaded ? t('loadingOlder') : ''}</p>
          {rows.map((row) => {
            if (row.kind === 'day') return <h3 key={row.key} class="day"><span>{dayLabel(row.ts)}</span></h3>;
            if (row.kind === 'divider') return <div key={row.key} class="divider" role="separator"><span>{t('newMessages')}</span></div>;
            if (row.kind === 'event') {
              const ev = row.m.event;
              return ev === undefined ? null : (
                <p key={row.key} class="event-line msg" data-seq={row.m.seq} tabIndex={-1} title={fullTime(row.m.ts)}>
                  {describeEvent(ev, row.m.from, nameOf, me.id)}
                </p>
              );
            }
            const mine = row.from === me.id;
            const first = row.messages[0] as WireMessage;
            return (
              <div key={row.key} class={`group${mine ? ' mine' : ''}`}>
                <div class="meta">
                  <span class="who">{mine ? t('you') : nameOf(row.from)}</span>
                  {store.state.people[row.from]?.bot === true && <BotBadge />}
                  <time dateTime={new Date(first.ts).toISOString()} title={fullTime(first.ts)}>{timeLabel(first.ts)}</time>
                </div>
                {row.messages.map((m) => (
                  <MessageItem key={m.seq} store={store} room={room} m={m} me={me} names={names} editing={editing === m.seq}
                    target={target?.seq === m.seq} seenBy={seen.get(m.seq)} />
                ))}
              </div>
            );
          })}
          {room.pending.length > 0 && atLatest(room) && (
            <div class="group mine pending-group">
              {room.pending.map((p) => <PendingRow key={p.clientMsgId} p={p} onRetry={() => this.props.store.retry(room.id, p.clientMsgId)} />)}
            </div>
          )}
        </div>
        {showJump && <button type="button" class="jump" onClick={this.jump}>{t('jumpLatest')} ↓</button>}
      </div>
    );
  }
}

function PendingRow({ p, onRetry }: { p: PendingSend; onRetry: () => void }) {
  return (
    <div class={`msg pending ${p.state}`} data-client-msg-id={p.clientMsgId}>
      {(p.body !== '' || p.attachments === undefined) && <p class="body"><MessageText text={p.body} /></p>}
      {p.attachments !== undefined && <p class="body">{p.attachments.map((a) => a.name).join(', ')}</p>}
      <p class="send-state" role={p.state === 'failed' ? 'alert' : undefined}>
        {p.state === 'sending' ? t('sending') : t('notSent', { why: p.error ?? '' })}
        {p.state === 'failed' && <button type="button" class="link-button" onClick={onRetry}>{t('retry')}</button>}
      </p>
    </div>
  );
}
