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
export interface PublicProfile { user: string; name: string; displayName: string; avatar?: string }

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
  | ProfileFrame;

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
}

/** A member's read marker moved: alone in its room's receipts window. */
export interface ReceiptFrame { type: 'receipt'; room: string; user: string; seq: number }
/** Several markers moved in one room within one receipts window: one frame for all of them. */
export interface ReceiptsFrame { type: 'receipts'; room: string; reads: Array<{ user: string; seq: number }> }

/** A search result: the message, a plain-text snippet, and the UTF-16 ranges of the matches in it. */
export interface SearchHit extends WireMessage { snippet: string; highlights: Array<[number, number]> }
