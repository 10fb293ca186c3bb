import type { RoomSummary, SearchHit } from '../protocol/frames.js';
import type { ChangePage } from '../store/read/change-reader.js';
import type { Page } from '../store/read/reader.js';
import type { SearchQuery } from '../store/search/search.js';
import type { ResultOf, WriteOp } from '../store/write/write-ops.js';

/**
 * What the chat rules need from the rest of the server. The gateway and the
 * SQLite store implement these; tests use small fakes or the real store.
 */

/** One connected socket, as the rules see it. */
export interface Peer {
  readonly userId: number;
  /** Sends a frame to this socket (dropped when it has closed). */
  send(frame: string): void;
  /** Set by a `presence` frame: this socket said its user is away. */
  away?: boolean;
  /** Sends to every socket subscribed to `topic` except this one. */
  publishOthers(topic: string, frame: string): void;
}

export interface Fanout {
  /** Sends to every socket subscribed to `topic`; the copying happens in C++. */
  publish(topic: string, frame: string): void;
  /**
   * Sends to every socket of one user: their own rare events (removed from a
   * room, a mention in a muted room). No topic per user: it would cost every
   * connection a second uWS subscription.
   */
  toUser(user: number, frame: string): void;
}

export interface WriteQueue {
  submit<O extends WriteOp>(op: O, done: (result: ResultOf<O>) => void): boolean;
  /** The writes `fn` submits share one commit (and one delivery of their results); returns what `fn` does. */
  together<T>(fn: () => T): T;
}

/** The promise form of the write queue, for the rare paths (HTTP routes, presence's last-seen). */
export interface WriteRunner {
  run<O extends WriteOp>(op: O): Promise<ResultOf<O>>;
}

export interface HistorySource {
  /** `viewer`: whose reactions count as `me`. */
  history(room: number, before: number | undefined, limit: number, viewer?: number): Page;
  since(room: number, after: number, limit: number, viewer?: number): Page;
  /** Edits, deletions and reactions after a change cursor. */
  changesSince?(room: number, after: number, limit: number): ChangePage;
  rooms(user: number): RoomSummary[];
}

export type { SearchQuery };

export interface SearchSource {
  /** Runs off the event loop; resolves with hits from rooms the user belongs to, newest first. */
  search(q: SearchQuery, rooms: readonly number[]): Promise<SearchHit[]>;
}

export const roomTopic = (room: number): string => `room:${room}`;

const ROOM_TOPIC = /^room:([0-9]+)$/;

/** The room a topic names (`roomTopic`'s inverse), or undefined for a topic that is not a room's. */
export function topicRoom(topic: string): number | undefined {
  const m = ROOM_TOPIC.exec(topic);
  return m === null ? undefined : Number(m[1]);
}

/**
 * Told in process, after a commit, that a room's topic or a user got
 * something: the Matrix door's held `/sync` requests listen here. The server
 * calls it beside every publish; a listener keeps its rooms in a map, so a
 * room nobody listens to costs one lookup.
 */
export interface CommitWatch {
  topic(topic: string): void;
  user(user: number): void;
}
