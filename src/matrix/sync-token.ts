/**
 * A `since` token: the highest message id a client has seen (timeline rows of
 * every room share that id order) and its position in the Matrix stream
 * (edits, deletions, reactions, read markers, account data). Both are
 * persisted positions, so a token stays valid across restarts.
 */
export interface SyncPosition {
  msg: number;
  stream: number;
  /** Typing notices are not persisted: a counter of this process (after a restart every room's typers are sent again). */
  typing: number;
}

export function encodeSince(p: SyncPosition): string {
  return `s${p.msg}_${p.stream}_${p.typing}`;
}

export function decodeSince(token: string): SyncPosition | null {
  const m = /^s([0-9]{1,15})_([0-9]{1,15})(?:_([0-9]{1,15}))?$/.exec(token);
  return m === null ? null : { msg: Number(m[1]), stream: Number(m[2]), typing: Number(m[3] ?? 0) };
}

/** `prev_batch`, `start`, `end`: a position in one room's seq order (`t<seq>`: before this seq). */
export function encodeRoomToken(seq: number): string {
  return `t${seq}`;
}

export function decodeRoomToken(token: string): number | null {
  const m = /^t([0-9]{1,15})$/.exec(token);
  return m === null ? null : Number(m[1]);
}
