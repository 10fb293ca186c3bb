import type { Reason } from '../protocol/reasons.js';

/**
 * Who may do what: every decision as a pure function over plain facts, so the
 * WebSocket door, the HTTP routes, the CLI and the Matrix door ask the same
 * question and get the same answer, and the writer can ask it again inside
 * its transaction on the rows it just read. Nothing here reads a database or
 * knows a socket; `test/chat/policy.test.ts` walks the whole table.
 */

export type ServerRole = 'admin' | 'member' | 'bot';
export type RoomRole = 'owner' | 'moderator' | 'member';
export type MemberState = 'invited' | 'joined' | 'left' | 'removed';
export type RoomKind = 'group' | 'direct';
export type JoinRule = 'invite' | 'public';
export type HistoryVisibility = 'shared' | 'joined';

export const ROOM_ROLES: readonly RoomRole[] = ['member', 'moderator', 'owner'];

export interface RoomFacts {
  kind: RoomKind;
  joinRule: JoinRule;
  /** Joined members whose role is owner. */
  owners: number;
  /** Joined members, the actor included when joined. */
  joined: number;
}

/** A user's place in a room; null for someone who was never invited or joined. */
export interface Standing { state: MemberState; role: RoomRole }

export type Verdict = { ok: true } | { ok: false; reason: Reason };

const OK: Verdict = { ok: true };
const no = (reason: Reason): Verdict => ({ ok: false, reason });

const rank = (role: RoomRole): number => ROOM_ROLES.indexOf(role);

/** What a joined member does to the room as a whole. */
export type RoomAction =
  | 'read' | 'post' | 'react' | 'mark_read' | 'typing'
  | 'invite' | 'rename' | 'set_topic' | 'set_avatar' | 'set_join_rule' | 'set_history'
  /** Acting on other members: roles, removal, deleting their messages (over a lower role; see overMember). */
  | 'set_role' | 'remove' | 'delete_others';

/** The least room role each action needs in a group room, and whether it exists in a direct room. */
const NEEDS: Record<RoomAction, { role: RoomRole; direct: boolean }> = {
  read: { role: 'member', direct: true },
  post: { role: 'member', direct: true },
  react: { role: 'member', direct: true },
  mark_read: { role: 'member', direct: true },
  typing: { role: 'member', direct: true },
  invite: { role: 'member', direct: false },
  rename: { role: 'moderator', direct: false },
  set_topic: { role: 'moderator', direct: false },
  set_avatar: { role: 'moderator', direct: false },
  set_join_rule: { role: 'owner', direct: false },
  set_history: { role: 'owner', direct: false },
  set_role: { role: 'moderator', direct: false },
  remove: { role: 'moderator', direct: false },
  delete_others: { role: 'moderator', direct: false },
};

/** The role table as the docs show it: which role an action needs in a group room. */
export function roleNeeded(action: RoomAction): RoomRole {
  return NEEDS[action].role;
}

export function mayActInRoom(room: RoomFacts, me: Standing | null, action: RoomAction): Verdict {
  if (me === null || me.state !== 'joined') return no('not_member');
  const needs = NEEDS[action];
  if (room.kind === 'direct' && !needs.direct) return no('direct_room');
  if (rank(me.role) < rank(needs.role)) return no('not_allowed_for_role');
  return OK;
}

/** Joining: a public room's directory, or accepting an invitation. */
export function mayJoin(room: RoomFacts, me: Standing | null): Verdict {
  if (me?.state === 'joined') return no('already_member');
  if (me?.state === 'invited') return OK;
  if (room.kind === 'direct') return no('not_invited');
  if (me?.state === 'removed') return no('removed');
  return room.joinRule === 'public' ? OK : no('not_invited');
}

/** Leaving, or declining an invitation. The last owner may not leave others without one. */
export function mayLeave(room: RoomFacts, me: Standing | null): Verdict {
  if (me === null || (me.state !== 'joined' && me.state !== 'invited')) return no('not_member');
  if (me.state === 'joined' && isLastOwner(room, me) && room.joined > 1) return no('last_owner');
  return OK;
}

function isLastOwner(room: RoomFacts, who: Standing): boolean {
  return room.kind === 'group' && who.role === 'owner' && who.state === 'joined' && room.owners <= 1;
}

export interface Invitee { exists: boolean; disabled: boolean; standing: Standing | null }

export function mayInvite(room: RoomFacts, me: Standing | null, invitee: Invitee): Verdict {
  const may = mayActInRoom(room, me, 'invite');
  if (!may.ok) return may;
  if (!invitee.exists || invitee.disabled) return no('user_unavailable');
  const s = invitee.standing?.state;
  if (s === 'joined' || s === 'invited') return no('already_member');
  return OK;
}

/**
 * Removing someone, or changing their role: only over a lower role, except
 * that owners act on owners; never so that the room is left without an owner.
 */
export function mayRemove(room: RoomFacts, me: Standing | null, target: Standing | null): Verdict {
  return overMember(room, me, target, NEEDS.remove.role);
}

export function maySetRole(room: RoomFacts, me: Standing | null, target: Standing | null, role: RoomRole): Verdict {
  const may = overMember(room, me, target, NEEDS.set_role.role);
  if (!may.ok) return may;
  // me and target are joined members here (overMember checked).
  if (rank(role) > rank((me as Standing).role)) return no('not_allowed_for_role');
  const t = target as Standing;
  if (t.role === 'owner' && role !== 'owner' && isLastOwner(room, t)) return no('last_owner');
  return OK;
}

function overMember(room: RoomFacts, me: Standing | null, target: Standing | null, least: RoomRole): Verdict {
  if (me === null || me.state !== 'joined') return no('not_member');
  if (room.kind === 'direct') return no('direct_room');
  if (rank(me.role) < rank(least)) return no('not_allowed_for_role');
  if (target === null || (target.state !== 'joined' && target.state !== 'invited')) return no('target_not_member');
  const outranks = rank(me.role) > rank(target.role) || me.role === 'owner';
  if (!outranks) return no('target_outranks');
  if (target.state === 'joined' && isLastOwner(room, target)) return no('last_owner');
  return OK;
}

export interface MessageFacts { sender: number; ts: number; deleted: boolean }

/** Editing: the sender, within the window, while the message stands. */
export function mayEdit(me: Standing | null, userId: number, msg: MessageFacts, now: number, windowMs: number): Verdict {
  if (me === null || me.state !== 'joined') return no('not_member');
  if (msg.deleted) return no('message_deleted');
  if (msg.sender !== userId) return no('not_own_message');
  if (now - msg.ts > windowMs) return no('edit_window_passed');
  return OK;
}

/** Deleting: one's own message always; another's as a moderator or owner, or as a server admin in the room. */
export function mayDelete(room: RoomFacts, me: Standing | null, userId: number, serverRole: ServerRole, msg: MessageFacts): Verdict {
  if (me === null || me.state !== 'joined') return no('not_member');
  if (msg.deleted) return no('message_deleted');
  if (msg.sender === userId || serverRole === 'admin') return OK;
  if (room.kind === 'group' && rank(me.role) >= rank(NEEDS.delete_others.role)) return OK;
  return no('not_own_message');
}

/** What the file rule looks at: the asker's place, and whether a message that stands carries the file. */
export interface FileFacts {
  /** A joined member of the room the file was uploaded to. */
  member: boolean;
  /** The account is enabled (a disabled one keeps no access, whatever links it holds). */
  enabled: boolean;
  uploader: boolean;
  /** Some message the asker may read carries the file: not deleted, not before their join in a `history: joined` room. */
  posted: boolean;
  /** The file is in no room yet: a Matrix upload not sent in a message (Matrix uploads name no room). */
  unplaced: boolean;
}

/**
 * Fetching an uploaded file: an enabled member of its room, once a message
 * they may read carries it (its uploader before that, to show what they are about to send).
 * A file in no room yet is its uploader's alone. Every refusal is
 * `not_member`, the same as for an unknown file, so file ids cannot be probed.
 */
export function mayFetchFile(f: FileFacts): Verdict {
  if (!f.enabled) return no('not_member');
  if (f.unplaced) return f.uploader ? OK : no('not_member');
  if (!f.member) return no('not_member');
  return f.uploader || f.posted ? OK : no('not_member');
}

/** What making an upload someone's (or a room's) picture depends on. */
export interface AvatarFacts {
  uploader: boolean;
  /** An avatar upload (POST /api/v1/avatars): decoded, in no room. */
  avatarUpload: boolean;
  /** An image with a thumbnail that is in no room yet (a Matrix upload): setting it makes it an avatar upload for good. */
  unplacedImage: boolean;
}

/** A picture is one of the setter's own avatar uploads, or their own Matrix image upload not sent anywhere. */
export function mayUseAsAvatar(f: AvatarFacts): boolean {
  return f.uploader && (f.avatarUpload || f.unplacedImage);
}

/** What attaching a file to a message depends on. */
export interface AttachFacts {
  uploader: boolean;
  /** The file was uploaded to the room the message goes to. */
  sameRoom: boolean;
  /** The file is in no room yet (a Matrix upload): the first message that carries it places it in its room. */
  unplaced: boolean;
}

/**
 * Attaching a file: only its uploader, and only to the room it was uploaded
 * to, or to any room of theirs while it is in none yet (which then places it
 * there for good). So a file is never shown in a room it was not sent to.
 */
export function mayAttachFile(f: AttachFacts): boolean {
  return f.uploader && (f.sameRoom || f.unplaced);
}

/** Server-wide settings (retention, legal hold, users, invite links): admins only, member of the room or not. */
export function mayAdminister(serverRole: ServerRole): Verdict {
  return serverRole === 'admin' ? OK : no('admin_only');
}

/**
 * The first seq a member may read: all of it in a `shared` room, from the
 * join on in a `joined` one (joinedAtSeq: the room's last seq when they joined).
 */
export function firstReadableSeq(visibility: HistoryVisibility, joinedAtSeq: number): number {
  return visibility === 'shared' ? 1 : joinedAtSeq + 1;
}

/**
 * A room's integrations (incoming hooks, outgoing webhooks): its owners and
 * moderators, and the server's admins whether they are in the room or not.
 * Never a direct room, never a bot (a bot cannot mint other bots).
 */
export function mayManageIntegrations(room: Pick<RoomFacts, 'kind'>, me: Standing | null, serverRole: ServerRole): Verdict {
  if (room.kind === 'direct') return no('direct_room');
  if (serverRole === 'admin') return OK;
  if (serverRole === 'bot') return no('not_allowed_for_role');
  if (me === null || me.state !== 'joined') return no('not_member');
  return rank(me.role) >= rank('moderator') ? OK : no('not_allowed_for_role');
}
