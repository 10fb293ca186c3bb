/**
 * The wire contract in types: what clients send (validated once, in parse.ts)
 * and what the server sends. Field names are the protocol's; nothing internal
 * is ever serialised.
 */

export interface SendFrame { type: 'send'; id?: string; room: string; body: string; clientMsgId: string }
export interface SyncFrame { type: 'sync'; id?: string; since: Array<[room: string, lastSeq: number]>; limit?: number }
export interface HistoryFrame { type: 'history'; id?: string; room: string; before?: number; limit?: number }
export interface SearchFrame { type: 'search'; id?: string; query: string; room?: string; limit?: number; before?: number }
export interface ReadFrame { type: 'read'; id?: string; room: string; seq: number }
export interface TypingFrame { type: 'typing'; id?: string; room: string }
export interface RoomsFrame { type: 'rooms'; id?: string }
export interface PingFrame { type: 'ping'; id?: string }

export type ClientFrame =
  | SendFrame
  | SyncFrame
  | HistoryFrame
  | SearchFrame
  | ReadFrame
  | TypingFrame
  | RoomsFrame
  | PingFrame;

export type ClientFrameType = ClientFrame['type'];

/** A stored message as every client sees it. */
export interface WireMessage {
  room: string;
  seq: number;
  msgId: string;
  from: string;
  body: string;
  ts: number;
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
}

/** A search result: the message, a plain-text snippet, and the UTF-16 ranges of the matches in it. */
export interface SearchHit extends WireMessage { snippet: string; highlights: Array<[number, number]> }
