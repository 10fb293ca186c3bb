import { cleanDisplayName } from '../auth/display-name.js';
import type { ProfileFrame, PublicProfile, SetProfileFrame } from '../protocol/frames.js';
import { encodeFrame } from '../protocol/server-frames.js';
import type { Membership } from './membership.js';
import { roomTopic, type Fanout, type Peer, type WriteQueue } from './ports.js';
import { errorFrame, overloaded, type Failure } from './replies.js';

/** What the profile rules read: one enabled user's public profile (an indexed lookup). */
export interface ProfileSource {
  profile(user: number): PublicProfile | undefined;
}

export interface ProfileDeps {
  profiles: ProfileSource;
  writer: WriteQueue;
  fanout: Fanout;
  membership: Membership;
}

/** The `profile` frame everyone in a room with the user is sent, and the reply to asking for one. */
export function profileFrame(p: PublicProfile, id?: string): string {
  return encodeFrame({ type: 'profile', id, ...p });
}

const USER_ID = /^[1-9][0-9]{0,15}$/;

/**
 * `set_profile` and `profile`: a person's display name and avatar. A change
 * is written through the writer thread; once durable, every room the user
 * is in gets the new `profile` frame, then the caller its `ok`.
 */
export class Profiles {
  constructor(private readonly deps: ProfileDeps) {}

  handle(peer: Peer, frame: SetProfileFrame | ProfileFrame): void {
    if (frame.type === 'profile') return this.onProfile(peer, frame);
    this.onSetProfile(peer, frame);
  }

  /** Whose profile may be shown, at every door: an enabled user's; a disabled account has none. */
  profile(user: number): PublicProfile | undefined {
    return this.deps.profiles.profile(user);
  }

  private onProfile(peer: Peer, frame: ProfileFrame): void {
    const found = USER_ID.test(frame.user) ? this.profile(Number(frame.user)) : undefined;
    if (found === undefined) {
      return peer.send(encodeFrame({ type: 'error', id: frame.id, code: 'not_found', reason: 'user_unavailable', message: 'no such user, or the account is disabled' }));
    }
    peer.send(profileFrame(found, frame.id));
  }

  /** Sets a display name for a door without a socket (Matrix); the rooms get the same `profile` frame. */
  setDisplayName(user: number, displayName: string): Promise<{ ok: true } | Failure> {
    return new Promise((resolve) => this.setProfile(user, displayName, undefined, resolve));
  }

  /** Sets or removes (null) the picture for a door without a socket (Matrix): an avatar upload's file id. */
  setAvatar(user: number, fileId: string | null): Promise<{ ok: true } | Failure> {
    return new Promise((resolve) => this.setProfile(user, undefined, fileId, resolve));
  }

  private onSetProfile(peer: Peer, frame: SetProfileFrame): void {
    this.setProfile(peer.userId, frame.displayName, frame.avatar, (r) => peer.send(r.ok ? encodeFrame({ type: 'ok', id: frame.id }) : errorFrame(frame.id, r.code, r.message)));
  }

  private setProfile(user: number, rawName: string | undefined, avatar: string | null | undefined, done: (outcome: { ok: true } | Failure) => void): void {
    let displayName: string | undefined;
    if (rawName !== undefined) {
      const cleaned = cleanDisplayName(rawName);
      if (!cleaned.ok) return done({ ok: false, code: 'bad_request', message: cleaned.message });
      displayName = cleaned.value;
    }
    const queued = this.deps.writer.submit({ k: 'profile', user, displayName, avatar }, (r) => {
      if (!r.ok) return done(r);
      const now = this.deps.profiles.profile(user);
      if (now !== undefined) {
        const pushed = profileFrame(now);
        for (const room of this.deps.membership.roomsOf(user)) this.deps.fanout.publish(roomTopic(room), pushed);
      }
      done({ ok: true });
    });
    if (!queued) done(overloaded);
  }
}
