/**
 * The wire contract in types: what clients send (validated once, in parse.ts)
 * and what the server sends. Field names are the protocol's; nothing internal
 * is ever serialised.
 */

export interface SendFrame { type: 'send'; id?: string; room: string; body: string; clientMsgId: string; replyTo?: number; attachments?: string[] }
export interface SyncFrame {
  type: 'sync'; id?: string; since: Array<[room: string, lastSeq: number]>; limit?: number;
  /** Edits, deletions and reactions after each room's change cursor. */
  changesSince?: Array<[room: string, cseq: number]>;
}
export interface HistoryFrame { type: 'history'; id?: string; room: string; before?: number; limit?: number }
export interface SearchFrame { type: 'search'; id?: string; query: string; room?: string; limit?: number; before?: number }
export interface ReadFrame { type: 'read'; id?: string; room: string; seq: number }
export interface TypingFrame { type: 'typing'; id?: string; room: string }
export interface RoomsFrame { type: 'rooms'; id?: string }
export interface PingFrame { type: 'ping'; id?: string }
export interface EditFrame { type: 'edit'; id?: string; room: string; seq: number; body: string }
export interface DeleteFrame { type: 'delete'; id?: string; room: string; seq: number }
export interface ReactFrame { type: 'react'; id?: string; room: string; seq: number; emoji: string; on: boolean }
/** `state` sets this socket's presence; `room` asks for the room's presence. */
export interface PresenceFrame { type: 'presence'; id?: string; state?: 'online' | 'away'; room?: string }
export interface NotifyFrame { type: 'notify'; id?: string; room: string; muted?: boolean; level?: 'all' | 'mentions' | 'none' }
/** The caller's own profile: `displayName` ('' clears), `avatar` (an avatar upload's file id, or null); an absent field stays. */
export interface SetProfileFrame { type: 'set_profile'; id?: string; displayName?: string; avatar?: string | null }
/** Asks for one user's public profile. */
export interface ProfileFrame { type: 'profile'; id?: string; user: string }
/** What anyone signed in may know of a user: the `profile` frame's fields (`avatar` absent: none). */
export interface PublicProfile { user: string; name: string; displayName: string; avatar?: string; bot?: true }

export type RoomRoleName = 'owner' | 'moderator' | 'member';
export type JoinRuleName = 'invite' | 'public';
export type HistoryName = 'shared' | 'joined';

/** A group room made by a user, who becomes its owner; the invitees get invitations. */
export interface CreateRoomFrame {
  type: 'create_room'; id?: string; name: string; topic?: string; invite?: string[];
  joinRule?: JoinRuleName; history?: HistoryName;
}
/** The one direct room of the caller and `user`, made on first ask by either. */
export interface OpenDirectFrame { type: 'open_direct'; id?: string; user: string }
export interface InviteFrame { type: 'invite'; id?: string; room: string; user: string }
/** Accepts an invitation, or joins a public room. */
export interface JoinFrame { type: 'join'; id?: string; room: string }
/** Leaves a room, or declines an invitation to it. */
export interface LeaveFrame { type: 'leave'; id?: string; room: string }
/** Only the fields present change; `avatar: null` removes the picture. */
export interface UpdateRoomFrame {
  type: 'update_room'; id?: string; room: string; name?: string; topic?: string; avatar?: string | null;
  joinRule?: JoinRuleName; history?: HistoryName;
}
export interface SetRoleFrame { type: 'set_role'; id?: string; room: string; user: string; role: RoomRoleName }
export interface RemoveMemberFrame { type: 'remove_member'; id?: string; room: string; user: string }
export interface MembersFrame { type: 'members'; id?: string; room: string }
/** Public group rooms anyone may join. */
export interface DirectoryFrame { type: 'directory'; id?: string }
/** The caller's pending invitations. */
export interface InvitesFrame { type: 'invites'; id?: string }
/** Enabled users whose name or display name contains `query` (case-insensitive). */
export interface UsersFrame { type: 'users'; id?: string; query?: string }

export type RoomActionFrame =
  | CreateRoomFrame | OpenDirectFrame | InviteFrame | JoinFrame | LeaveFrame
  | UpdateRoomFrame | SetRoleFrame | RemoveMemberFrame
  | MembersFrame | DirectoryFrame | InvitesFrame | UsersFrame;

/**
 * A change to a room, stored as a timeline entry (a message row with an empty
 * body) and sent as a `message` frame with this in `event`. `from` of the
 * entry is who acted; `user` (where present) is whom it was done to.
 */
export type RoomEvent =
  | { kind: 'created'; name: string }
  | { kind: 'invited'; user: string }
  | { kind: 'joined' }
  | { kind: 'declined' }
  | { kind: 'left' }
  | { kind: 'removed'; user: string }
  | { kind: 'role'; user: string; role: RoomRoleName }
  | { kind: 'name'; name: string }
  | { kind: 'topic'; topic: string }
  | { kind: 'avatar'; fileId: string | null }
  | { kind: 'join_rule'; joinRule: JoinRuleName }
  | { kind: 'history'; history: HistoryName };

export type ClientFrame =
  | SendFrame
  | SyncFrame
  | HistoryFrame
  | SearchFrame
  | ReadFrame
  | TypingFrame
  | RoomsFrame
  | PingFrame
  | EditFrame
  | DeleteFrame
  | ReactFrame
  | PresenceFrame
  | NotifyFrame
  | SetProfileFrame
  | ProfileFrame
  | RoomActionFrame;

export type ClientFrameType = ClientFrame['type'];

/** A stored message as every client sees it. */
export interface WireMessage {
  room: string;
  seq: number;
  msgId: string;
  from: string;
  body: string;
  ts: number;
  /** Present only when they apply. */
  replyTo?: number;
  attachments?: Array<{ fileId: string; name: string; size: number; mime: string; width?: number; height?: number; thumb?: true }>;
  mentions?: string[];
  editedAt?: number;
  deleted?: true;
  reactions?: Array<{ emoji: string; count: number; me: boolean }>;
  /** A timeline entry (room change): body is '' and this says what happened. */
  event?: RoomEvent;
}

export interface AckFields {
  room: string;
  seq: number;
  msgId: string;
  ts: number;
}

export interface RoomSummary {
  room: string;
  name: string;
  kind: 'group' | 'direct';
  lastSeq: number;
  readSeq: number;
  unread: number;
  /** Unread messages that mention the user; change cursor; notification settings. */
  mentions?: number;
  lastCseq?: number;
  muted?: boolean;
  notify?: 'all' | 'mentions' | 'none';
  /** The room's settings, the caller's role and the joined count: always sent by the server (optional so older fixtures still type). */
  topic?: string;
  /** The room's picture (a file id), when it has one. */
  avatar?: string;
  joinRule?: JoinRuleName;
  history?: HistoryName;
  /** The caller's role in the room. */
  role?: RoomRoleName;
  /** Joined members. */
  members?: number;
  /** Direct rooms: the other user's id. */
  peer?: string;
}

/** One row of a `members` reply. */
export interface MemberEntry { user: string; role: RoomRoleName; bot?: true }
/** A pending invitation in a `members` reply. */
export interface InvitedEntry { user: string; by: string }
/** One row of a `directory` reply. */
export interface DirectoryEntry { room: string; name: string; topic: string; avatar?: string; members: number }
/** One row of an `invites` reply. */
export interface InviteEntry { room: string; name: string; topic: string; by: string; at: number }
/** One row of a `users` reply. */
export interface UserEntry { user: string; name: string; displayName: string; avatar?: string; bot?: true }

/** A member's read marker moved: alone in its room's receipts window. */
export interface ReceiptFrame { type: 'receipt'; room: string; user: string; seq: number }
/** Several markers moved in one room within one receipts window: one frame for all of them. */
export interface ReceiptsFrame { type: 'receipts'; room: string; reads: Array<{ user: string; seq: number }> }

/** A search result: the message, a plain-text snippet, and the UTF-16 ranges of the matches in it. */
export interface SearchHit extends WireMessage { snippet: string; highlights: Array<[number, number]> }
