import type { RoomEvent, RoomRoleName, WireMessage } from '../protocol/frames.js';
import type { ChangeRow, RoomInfo } from '../chat/matrix-store.js';
import { roleNeeded, type RoomAction } from '../chat/policy.js';
import type { MatrixIds } from './ids.js';

/** A client event as /sync, /messages and /event return it. */
export interface ClientEvent {
  type: string;
  event_id: string;
  room_id: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  state_key?: string;
  redacts?: string;
  unsigned?: Record<string, unknown>;
}

/** Roost's roles as Matrix power levels: owner 100, moderator 50, member 0. */
export const POWER: Readonly<Record<RoomRoleName, number>> = { owner: 100, moderator: 50, member: 0 };

export function roleOfPower(level: number): RoomRoleName {
  return level >= 100 ? 'owner' : level >= 50 ? 'moderator' : 'member';
}

const needs = (action: RoomAction): number => POWER[roleNeeded(action)];

/** The power levels content of a room: the room rules' role table (chat/policy.ts), said as levels. */
export function powerLevels(users: Record<string, number>): Record<string, unknown> {
  return {
    users, users_default: 0, events_default: needs('post'), state_default: POWER.moderator,
    ban: needs('remove'), kick: needs('remove'), redact: needs('delete_others'), invite: needs('invite'),
    events: {
      'm.room.name': needs('rename'), 'm.room.topic': needs('set_topic'), 'm.room.avatar': needs('set_avatar'),
      'm.room.join_rules': needs('set_join_rule'), 'm.room.history_visibility': needs('set_history'), 'm.room.power_levels': needs('set_role'),
    },
    notifications: { room: POWER.moderator },
  };
}

/** Emotes are stored as Roost text starting with "/me " (what the native client shows as an action). */
const EMOTE = '/me ';

/** A Matrix message's text as Roost stores it. */
export function roostBody(msgtype: string, body: string): string {
  return msgtype === 'm.emote' ? `${EMOTE}${body}` : body;
}

function messageContent(body: string): Record<string, unknown> {
  return body.startsWith(EMOTE) ? { msgtype: 'm.emote', body: body.slice(EMOTE.length) } : { msgtype: 'm.text', body };
}

type Attachment = NonNullable<WireMessage['attachments']>[number];

function msgtypeOf(mime: string): string {
  if (mime.startsWith('image/')) return 'm.image';
  if (mime.startsWith('video/')) return 'm.video';
  if (mime.startsWith('audio/')) return 'm.audio';
  return 'm.file';
}

/**
 * A message with files as a Matrix media message: one event per message, so
 * it shows the first file; the text is the caption (spec v1.10: `body`
 * differs from `filename`). No `thumbnail_url`: clients ask the thumbnail
 * endpoint for `url`, which serves the native thumbnail.
 */
function mediaContent(ids: MatrixIds, a: Attachment, text: Record<string, unknown>, more: number): Record<string, unknown> {
  const caption = String(text.body ?? '');
  const info: Record<string, unknown> = { mimetype: a.mime, size: a.size };
  if (a.width !== undefined && a.height !== undefined) {
    info.w = a.width;
    info.h = a.height;
  }
  const note = more > 0 ? `${caption === '' ? '' : `${caption}\n`}(and ${more} more file${more === 1 ? '' : 's'}, shown in the Roost app)` : caption;
  return { msgtype: msgtypeOf(a.mime), body: note === '' ? a.name : note, ...(note === '' ? {} : { filename: a.name }), url: ids.mxc(a.fileId), info };
}

export interface Names {
  /** The Matrix id of a Roost user id (a string on the wire). */
  userId(id: number | string): string;
  displayName(id: number | string): string;
  /** The `mxc://` url of the user's avatar, or undefined (none). */
  avatarUrl(id: number | string): string | undefined;
}

/** `avatar_url` for member and profile content: present only when there is a picture. */
export const avatarField = (url: string | undefined): { avatar_url?: string } => (url === undefined ? {} : { avatar_url: url });

/** Turns Roost rows into Matrix events, in the words of one server name. */
export class EventRenderer {
  constructor(private readonly ids: MatrixIds, private readonly names: Names) {}

  /** A message or timeline entry of a room's timeline. `powers`: the room's current power levels (for role entries). */
  row(m: WireMessage, powers: () => Record<string, number>, info?: RoomInfo): ClientEvent {
    const room = Number(m.room);
    const base = { event_id: this.ids.row(room, m.seq), room_id: this.ids.room(room), sender: this.names.userId(m.from), origin_server_ts: m.ts };
    if (m.event !== undefined) return { ...base, ...this.entry(m.event, m.from, powers, info) };
    if (m.deleted === true) {
      return { ...base, type: 'm.room.message', content: {}, unsigned: { redacted_because: { type: 'm.room.redaction', sender: base.sender, content: {} } } };
    }
    const first = m.attachments?.[0];
    const text = messageContent(m.body);
    const content = first === undefined ? text : mediaContent(this.ids, first, text, (m.attachments?.length ?? 1) - 1);
    if (m.replyTo !== undefined) content['m.relates_to'] = { 'm.in_reply_to': { event_id: this.ids.row(room, m.replyTo) } };
    return { ...base, type: 'm.room.message', content };
  }

  /** A timeline entry as the state event it is in Matrix. */
  private entry(e: RoomEvent, actor: string, powers: () => Record<string, number>, info?: RoomInfo): Pick<ClientEvent, 'type' | 'content' | 'state_key'> {
    const member = (user: string, membership: string, extra: Record<string, unknown> = {}): Pick<ClientEvent, 'type' | 'content' | 'state_key'> =>
      ({ type: 'm.room.member', state_key: this.names.userId(user), content: { membership, displayname: this.names.displayName(user), ...avatarField(this.names.avatarUrl(user)), ...extra } });
    switch (e.kind) {
      case 'created': return { type: 'm.room.create', state_key: '', content: { creator: this.names.userId(actor), room_version: '10' } };
      case 'invited': return member(e.user, 'invite', info?.kind === 'direct' ? { is_direct: true } : {});
      case 'joined': return member(actor, 'join');
      case 'declined': case 'left': return member(actor, 'leave');
      case 'removed': return member(e.user, 'leave');
      case 'role': return { type: 'm.room.power_levels', state_key: '', content: powerLevels(powers()) };
      case 'name': return { type: 'm.room.name', state_key: '', content: { name: e.name } };
      case 'topic': return { type: 'm.room.topic', state_key: '', content: { topic: e.topic } };
      case 'avatar': return { type: 'm.room.avatar', state_key: '', content: e.fileId === null ? {} : { url: this.ids.mxc(e.fileId) } };
      case 'join_rule': return { type: 'm.room.join_rules', state_key: '', content: { join_rule: e.joinRule } };
      case 'history': return { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: e.history } };
    }
  }

  /**
   * An edit, deletion or reaction as its own event. `undone`: for an unreact,
   * the cseq of the reaction it takes back (it renders as that one's redaction).
   */
  change(c: ChangeRow, undone?: number): ClientEvent | undefined {
    const base = { event_id: this.ids.change(c.room, c.cseq), room_id: this.ids.room(c.room), sender: this.names.userId(c.user), origin_server_ts: c.ts };
    const target = this.ids.row(c.room, c.seq);
    switch (c.kind) {
      case 'edit': {
        if (c.body === null) return undefined;
        const fresh = messageContent(c.body);
        return {
          ...base, type: 'm.room.message',
          content: { ...fresh, body: `* ${String(fresh.body)}`, 'm.new_content': fresh, 'm.relates_to': { rel_type: 'm.replace', event_id: target } },
        };
      }
      case 'delete': return { ...base, type: 'm.room.redaction', redacts: target, content: { redacts: target } };
      case 'react':
        return { ...base, type: 'm.reaction', content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key: c.body ?? '' } } };
      case 'unreact': {
        if (undone === undefined) return undefined;
        const reaction = this.ids.change(c.room, undone);
        return { ...base, type: 'm.room.redaction', redacts: reaction, content: { redacts: reaction } };
      }
    }
  }
}
