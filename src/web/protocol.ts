/**
 * The wire protocol as the browser sees it (docs/protocol.md). A copy of the
 * shapes, not an import: the client is bundled on its own and must not pull
 * server modules in.
 */

export interface WireMessage {
  room: string;
  seq: number;
  msgId: string;
  from: string;
  body: string;
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

export interface SearchHit extends WireMessage {
  snippet: string;
  /** [start, end) UTF-16 ranges of the matches inside `snippet`. */
  highlights: Array<[number, number]>;
}

export interface User { id: string; name: string; role: 'admin' | 'member' }
export interface Member { id: string; name: string; readSeq: number }

export type ServerFrame =
  | ({ type: 'message' } & WireMessage)
  | { type: 'ack'; id?: string; room: string; seq: number; msgId: string; ts: number }
  | { type: 'synced'; id?: string; rooms: Array<{ room: string; messages: WireMessage[]; more: boolean }> }
  | { type: 'history'; id?: string; room: string; messages: WireMessage[]; more: boolean }
  | { type: 'results'; id?: string; hits: SearchHit[] }
  | { type: 'rooms'; id?: string; rooms: RoomSummary[] }
  | { type: 'receipt'; room: string; user: string; seq: number }
  | { type: 'typing'; room: string; user: string }
  | { type: 'room'; room: string; event: 'joined' | 'left' | 'created'; user: string }
  | { type: 'pong'; id?: string }
  | { type: 'error'; id?: string; code: string; message: string };

export type ServerFrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

export type ClientFrame =
  | { type: 'send'; room: string; body: string; clientMsgId: string }
  | { type: 'sync'; since: Record<string, number>; limit?: number }
  | { type: 'history'; room: string; before?: number; limit?: number }
  | { type: 'search'; query: string; room?: string; limit?: number; before?: number }
  | { type: 'read'; room: string; seq: number }
  | { type: 'typing'; room: string }
  | { type: 'rooms' }
  | { type: 'ping' };

/** A reply that was an `error` frame, carried as an exception to the caller. */
export class ProtocolError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
