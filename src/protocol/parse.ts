import type { ClientFrame, ClientFrameType } from './frames.js';

export interface FrameLimits {
  /** Longest message body, in UTF-16 code units (what JSON strings count). */
  maxBodyChars: number;
  /** Largest `limit` a history page may ask for; larger asks are clamped. */
  maxHistoryLimit: number;
  /** Largest `limit` per room in a sync; larger asks are clamped. */
  maxSyncLimit: number;
  /** Most rooms one sync may name. */
  maxSyncRooms: number;
  /** Largest search page; larger asks are clamped. */
  maxSearchLimit: number;
}

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; id?: string; code: 'bad_request' | 'too_large'; message: string };

const MAX_ID = 64;
const MAX_ROOM_ID = 64;
const MAX_CLIENT_MSG_ID = 64;
const MAX_QUERY = 256;
/** A display name as sent, before its cleaning (the rules allow 64 characters after it). */
const MAX_RAW_DISPLAY_NAME = 256;
/** Room names and topics as typed, before trimming; the chat rules trim and count again. */
const MAX_NAME_INPUT = 256;
const MAX_TOPIC_INPUT = 2048;
const MAX_INVITEES = 100;
const JOIN_RULES = ['invite', 'public'] as const;
const HISTORIES = ['shared', 'joined'] as const;
const ROLES = ['owner', 'moderator', 'member'] as const;

class FrameError extends Error {
  constructor(message: string, readonly code: 'bad_request' | 'too_large' = 'bad_request') {
    super(message);
  }
}

type Fields = Record<string, unknown>;

function str(o: Fields, key: string, max: number): string {
  const v = o[key];
  if (typeof v !== 'string') throw new FrameError(`"${key}" must be a string`);
  if (v.length === 0 || v.length > max) throw new FrameError(`"${key}" must be 1 to ${max} characters`);
  // A lone surrogate cannot be stored as UTF-8: SQLite would keep U+FFFD instead, and a
  // clientMsgId that changed on the way in would no longer match its own retry.
  if (!v.isWellFormed()) throw new FrameError(`"${key}" is not well-formed Unicode`);
  return v;
}

function optStr(o: Fields, key: string, max: number): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, max);
}

function int(o: Fields, key: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new FrameError(`"${key}" must be an integer of at least ${min}`);
  }
  return v;
}

function optInt(o: Fields, key: string, min: number): number | undefined {
  return o[key] === undefined ? undefined : int(o, key, min);
}

function optLimit(o: Fields, max: number): number | undefined {
  const v = optInt(o, 'limit', 1);
  return v === undefined ? undefined : Math.min(v, max);
}

function body(o: Fields, maxChars: number): string {
  const v = o.body;
  if (typeof v !== 'string') throw new FrameError('"body" must be a string');
  if (v.length > maxChars) throw new FrameError(`"body" is longer than ${maxChars} characters`, 'too_large');
  if (v.trim().length === 0) throw new FrameError('"body" must not be empty');
  // A lone surrogate cannot be stored as UTF-8 without being altered; refuse it rather than change it.
  if (!v.isWellFormed()) throw new FrameError('"body" is not well-formed Unicode');
  return v;
}

const MAX_ATTACHMENTS = 10;
const MAX_FILE_ID = 64;
const MAX_EMOJI = 32;

function optBool(o: Fields, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new FrameError(`"${key}" must be true or false`);
  return v;
}

function oneOf<T extends string>(o: Fields, key: string, values: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new FrameError(`"${key}" must be one of ${values.join(', ')}`);
  return v as T;
}

/** `attachments`: 1 to 10 distinct file ids. */
function fileIds(o: Fields): string[] | undefined {
  const v = o.attachments;
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) throw new FrameError('"attachments" must be a non-empty array of file ids');
  if (v.length > MAX_ATTACHMENTS) throw new FrameError(`at most ${MAX_ATTACHMENTS} attachments per message`, 'too_large');
  const ids = v.map((id) => {
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id) || id.length > MAX_FILE_ID) throw new FrameError('"attachments" must hold file ids');
    return id;
  });
  if (new Set(ids).size !== ids.length) throw new FrameError('"attachments" names a file twice');
  return ids;
}

function optFileId(o: Fields, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new FrameError(`"${key}" must be a file id or null`);
  return v;
}

/** A reaction: a short piece of text without spaces or control characters (an emoji, or :shortcode:). */
function emoji(o: Fields): string {
  const v = o.emoji;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_EMOJI) throw new FrameError(`"emoji" must be 1 to ${MAX_EMOJI} characters`);
  if (!v.isWellFormed() || /[\s\p{Cc}]/u.test(v)) throw new FrameError('"emoji" must not contain spaces or control characters');
  return v;
}

/** A user id: digits, as on the wire everywhere. */
function userId(o: Fields, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !/^[1-9][0-9]{0,14}$/.test(v)) throw new FrameError(`"${key}" must be a user id`);
  return v;
}

/** Text that may be empty (a topic); well-formed and bounded. */
function text(o: Fields, key: string, max: number): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new FrameError(`"${key}" must be a string`);
  if (v.length > max) throw new FrameError(`"${key}" is longer than ${max} characters`, 'too_large');
  if (!v.isWellFormed()) throw new FrameError(`"${key}" is not well-formed Unicode`);
  return v;
}

/** `invite`: up to 100 distinct user ids. */
function invitees(o: Fields): string[] | undefined {
  const v = o.invite;
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new FrameError('"invite" must be an array of user ids');
  if (v.length > MAX_INVITEES) throw new FrameError(`at most ${MAX_INVITEES} invitees at once`, 'too_large');
  const ids = v.map((u) => {
    if (typeof u !== 'string' || !/^[1-9][0-9]{0,14}$/.test(u)) throw new FrameError('"invite" must hold user ids');
    return u;
  });
  if (new Set(ids).size !== ids.length) throw new FrameError('"invite" names a user twice');
  return ids;
}

/** `avatar`: a file id, or null to remove it; absent leaves it as it is. */
function avatar(o: Fields): string | null | undefined {
  const v = o.avatar;
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new FrameError('"avatar" must be a file id or null');
  return v;
}

function since(o: Fields, maxRooms: number, key: 'since' | 'changesSince' = 'since'): Array<[string, number]> {
  const v = o[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new FrameError(`"${key}" must be an object of room → ${key === 'since' ? 'lastSeq' : 'cseq'}`);
  }
  const entries = Object.entries(v);
  if (entries.length > maxRooms) throw new FrameError(`"${key}" names more than ${maxRooms} rooms`, 'too_large');
  return entries.map(([room, seq]) => {
    if (room.length === 0 || room.length > MAX_ROOM_ID) throw new FrameError(`a room id in "${key}" is malformed`);
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
      throw new FrameError(`"${key}.${room.slice(0, MAX_ROOM_ID)}" must be an integer of at least 0`);
    }
    return [room, seq];
  });
}

function build(type: ClientFrameType, o: Fields, limits: FrameLimits): ClientFrame {
  switch (type) {
    case 'send': {
      const attachments = fileIds(o);
      return {
        type,
        room: str(o, 'room', MAX_ROOM_ID),
        // A message with attachments may have no text.
        body: attachments !== undefined && (o.body === undefined || o.body === '') ? '' : body(o, limits.maxBodyChars),
        clientMsgId: str(o, 'clientMsgId', MAX_CLIENT_MSG_ID),
        replyTo: optInt(o, 'replyTo', 1),
        attachments,
      };
    }
    case 'sync':
      return {
        type, since: since(o, limits.maxSyncRooms), limit: optLimit(o, limits.maxSyncLimit),
        changesSince: o.changesSince === undefined ? undefined : since(o, limits.maxSyncRooms, 'changesSince'),
      };
    case 'edit':
      return { type, room: str(o, 'room', MAX_ROOM_ID), seq: int(o, 'seq', 1), body: body(o, limits.maxBodyChars) };
    case 'delete':
      return { type, room: str(o, 'room', MAX_ROOM_ID), seq: int(o, 'seq', 1) };
    case 'react':
      return { type, room: str(o, 'room', MAX_ROOM_ID), seq: int(o, 'seq', 1), emoji: emoji(o), on: optBool(o, 'on') ?? true };
    case 'presence': {
      const state = oneOf(o, 'state', ['online', 'away'] as const);
      const room = optStr(o, 'room', MAX_ROOM_ID);
      if ((state === undefined) === (room === undefined)) throw new FrameError('"presence" needs either "state" (online or away) or "room"');
      return { type, state, room };
    }
    case 'notify': {
      const muted = optBool(o, 'muted');
      const level = oneOf(o, 'level', ['all', 'mentions', 'none'] as const);
      if (muted === undefined && level === undefined) throw new FrameError('"notify" needs "muted" or "level"');
      return { type, room: str(o, 'room', MAX_ROOM_ID), muted, level };
    }
    case 'set_profile': {
      // '' clears the display name: the one empty string a frame may carry.
      const displayName = o.displayName === '' ? '' : optStr(o, 'displayName', MAX_RAW_DISPLAY_NAME);
      const avatar = o.avatar === null ? null : optFileId(o, 'avatar');
      if (displayName === undefined && avatar === undefined) throw new FrameError('"set_profile" needs "displayName" or "avatar"');
      return { type, displayName, avatar };
    }
    case 'profile':
      return { type, user: str(o, 'user', MAX_ID) };
    case 'history':
      return {
        type,
        room: str(o, 'room', MAX_ROOM_ID),
        before: optInt(o, 'before', 1),
        limit: optLimit(o, limits.maxHistoryLimit),
      };
    case 'search':
      return {
        type,
        query: str(o, 'query', MAX_QUERY),
        room: optStr(o, 'room', MAX_ROOM_ID),
        limit: optLimit(o, limits.maxSearchLimit),
        before: optInt(o, 'before', 1),
      };
    case 'read':
      return { type, room: str(o, 'room', MAX_ROOM_ID), seq: int(o, 'seq', 0) };
    case 'typing':
      return { type, room: str(o, 'room', MAX_ROOM_ID) };
    case 'create_room':
      return {
        type, name: str(o, 'name', MAX_NAME_INPUT), topic: text(o, 'topic', MAX_TOPIC_INPUT), invite: invitees(o),
        joinRule: oneOf(o, 'joinRule', JOIN_RULES), history: oneOf(o, 'history', HISTORIES),
      };
    case 'open_direct':
      return { type, user: userId(o, 'user') };
    case 'invite':
    case 'remove_member':
      return { type, room: str(o, 'room', MAX_ROOM_ID), user: userId(o, 'user') };
    case 'join':
    case 'leave':
    case 'members':
      return { type, room: str(o, 'room', MAX_ROOM_ID) };
    case 'update_room': {
      const f = {
        type, room: str(o, 'room', MAX_ROOM_ID), name: optStr(o, 'name', MAX_NAME_INPUT), topic: text(o, 'topic', MAX_TOPIC_INPUT),
        avatar: avatar(o), joinRule: oneOf(o, 'joinRule', JOIN_RULES), history: oneOf(o, 'history', HISTORIES),
      };
      if (f.name === undefined && f.topic === undefined && f.avatar === undefined && f.joinRule === undefined && f.history === undefined) {
        throw new FrameError('"update_room" needs at least one of name, topic, avatar, joinRule, history');
      }
      return f;
    }
    case 'set_role': {
      const role = oneOf(o, 'role', ROLES);
      if (role === undefined) throw new FrameError(`"role" must be one of ${ROLES.join(', ')}`);
      return { type, room: str(o, 'room', MAX_ROOM_ID), user: userId(o, 'user'), role };
    }
    case 'users': {
      const query = text(o, 'query', MAX_QUERY);
      return { type, query: query === undefined || query.trim() === '' ? undefined : query.trim() };
    }
    case 'rooms':
    case 'ping':
    case 'directory':
    case 'invites':
      return { type };
  }
}

const TYPES: ReadonlySet<string> = new Set<ClientFrameType>([
  'send', 'sync', 'history', 'search', 'read', 'typing', 'rooms', 'ping',
  'edit', 'delete', 'react', 'presence', 'notify',
  'create_room', 'open_direct', 'invite', 'join', 'leave', 'update_room', 'set_role', 'remove_member',
  'members', 'directory', 'invites', 'users', 'set_profile', 'profile',
]);

/**
 * Validates one text frame into a typed ClientFrame. Never throws: every
 * problem comes back as a reply-able result, echoing `id` when it was usable.
 */
export function parseClientFrame(text: string, limits: FrameLimits): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_request', message: 'frame is not valid JSON' };
  }
  return parseFrameValue(value, limits);
}

/** The same validation for an already-parsed value (HTTP bodies reuse it). */
export function parseFrameValue(value: unknown, limits: FrameLimits): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'bad_request', message: 'frame must be a JSON object' };
  }
  const o = value as Fields;
  const rawId = o.id;
  const id = typeof rawId === 'string' && rawId.length > 0 && rawId.length <= MAX_ID ? rawId : undefined;
  if (rawId !== undefined && id === undefined) {
    return { ok: false, code: 'bad_request', message: `"id" must be a string of 1 to ${MAX_ID} characters` };
  }
  const type = o.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    return { ok: false, id, code: 'bad_request', message: typeof type === 'string' ? 'unknown frame type' : 'frame has no "type"' };
  }
  try {
    const frame = build(type as ClientFrameType, o, limits);
    if (id !== undefined) frame.id = id;
    return { ok: true, frame };
  } catch (err) {
    if (err instanceof FrameError) return { ok: false, id, code: err.code, message: err.message };
    throw err;
  }
}
