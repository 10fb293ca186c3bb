/**
 * Matrix ids of Roost's users, rooms and timeline rows. All are derived from
 * ids Roost never reuses and the server name chosen once, so they are stable
 * forever and resolve back without a lookup table.
 */

/** Where a Matrix event id points: a timeline row (room, seq), a change (room, cseq) or current state. */
export type EventRef =
  | { kind: 'row'; room: number; seq: number }
  | { kind: 'change'; room: number; cseq: number }
  | { kind: 'state'; room: number; type: string; key: string };

const POSITIVE = /^[1-9][0-9]{0,14}$/;

export class MatrixIds {
  constructor(readonly serverName: string) {}

  /** `@name:server`: localparts are lower case (Roost names compare without case). */
  user(name: string): string {
    return `@${name.toLowerCase()}:${this.serverName}`;
  }

  /** The localpart of one of this server's user ids, or null. */
  localpart(userId: string): string | null {
    const m = /^@([^:]+):(.+)$/.exec(userId);
    return m === null || m[2] !== this.serverName ? null : (m[1] as string);
  }

  room(id: number): string {
    return `!r${id}:${this.serverName}`;
  }

  /** A Roost room id from a Matrix room id of this server, or null. */
  roomOf(roomId: string): number | null {
    const m = /^!r([0-9]+):(.+)$/.exec(roomId);
    if (m === null || m[2] !== this.serverName || !POSITIVE.test(m[1] as string)) return null;
    return Number(m[1]);
  }

  row(room: number, seq: number): string {
    return `$r${room}-${seq}`;
  }

  change(room: number, cseq: number): string {
    return `$r${room}-c${cseq}`;
  }

  state(room: number, type: string, key: string): string {
    return `$r${room}-s${Buffer.from(`${type}\u0000${key}`).toString('base64url')}`;
  }

  /** `mxc://server/<file id>`: a Roost file (or avatar) id is the media id as it is. */
  mxc(fileId: string): string {
    return `mxc://${this.serverName}/${fileId}`;
  }

  /** The file id of one of this server's `mxc://` urls, or null (another server's, or not a media id). */
  fileOfMxc(url: string): string | null {
    const m = /^mxc:\/\/([^/]+)\/([A-Za-z0-9_-]{1,64})$/.exec(url);
    return m === null || m[1] !== this.serverName ? null : (m[2] as string);
  }

  event(eventId: string): EventRef | null {
    const m = /^\$r([0-9]+)-(c?)([0-9]+)$/.exec(eventId);
    if (m !== null) {
      if (!POSITIVE.test(m[1] as string) || !POSITIVE.test(m[3] as string)) return null;
      const room = Number(m[1]);
      return m[2] === 'c' ? { kind: 'change', room, cseq: Number(m[3]) } : { kind: 'row', room, seq: Number(m[3]) };
    }
    const s = /^\$r([0-9]+)-s([A-Za-z0-9_-]+)$/.exec(eventId);
    if (s === null || !POSITIVE.test(s[1] as string)) return null;
    const [type, key] = Buffer.from(s[2] as string, 'base64url').toString().split('\u0000');
    return type === undefined || key === undefined ? null : { kind: 'state', room: Number(s[1]), type, key };
  }
}

/** A picture's file id from an `avatar_url` / `url` value: null removes it ('' or null), undefined is not one of this server's mxc urls. */
export function pictureOf(ids: MatrixIds, url: unknown): string | null | undefined {
  if (url === null || url === '' || url === undefined) return null;
  return typeof url === 'string' ? (ids.fileOfMxc(url) ?? undefined) : undefined;
}

/** A device id for a new Matrix login: short, upper-case letters (like Synapse's), random. */
export function newDeviceId(random: (n: number) => Buffer): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return [...random(10)].map((b) => letters[b % 26]).join('');
}
