import type { SyncedRoom, WireMessage } from './protocol.js';

/** What following a `sync` reply needs from the client. */
export interface FollowPorts {
  /** Asks the server again for the rooms in `since`, from those seqs. */
  request(since: Record<string, number>): Promise<SyncedRoom[]>;
  /** Appends newer messages to a room's window. */
  add(room: string, messages: readonly WireMessage[]): void;
  /** Reloads a room at its newest page: it missed too much to fetch message by message. */
  reload(room: string): void;
  /** The seq a room's window now ends at, to ask again from; undefined when the room is gone. */
  cursor(room: string): number | undefined;
}

/**
 * Adds each room's missed messages from a `synced` reply and follows `more`.
 * The server stops a reply at its total cap (`maxSyncTotal`), so a room may
 * say `more` having sent few messages or none: it is asked again from where
 * its window got to. A room that has sent `perRoom` messages and still has
 * more, or is still behind after `maxRounds` replies, is reloaded at its
 * newest page instead.
 */
export async function followMessages(ports: FollowPorts, first: readonly SyncedRoom[], perRoom: number, maxRounds: number): Promise<void> {
  const fetched = new Map<string, number>();
  let reply = first;
  for (let round = 1; ; round++) {
    const since: Record<string, number> = {};
    for (const s of reply) {
      const total = (fetched.get(s.room) ?? 0) + s.messages.length;
      fetched.set(s.room, total);
      if (s.more && total >= perRoom) {
        ports.reload(s.room);
        continue;
      }
      ports.add(s.room, s.messages);
      if (!s.more) continue;
      const cursor = ports.cursor(s.room);
      if (cursor !== undefined) since[s.room] = cursor;
    }
    const behind = Object.keys(since);
    if (behind.length === 0) return;
    if (round >= maxRounds) {
      for (const room of behind) ports.reload(room);
      return;
    }
    reply = await ports.request(since);
  }
}
