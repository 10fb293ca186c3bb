import { Files, type AccountStatus, type BlobSpace, type FileRecords } from '../chat/files.js';
import type { Membership } from '../chat/membership.js';
import { MessageActions } from '../chat/message-actions.js';
import { Mutes } from '../chat/mutes.js';
import type { Fanout, WriteQueue, WriteRunner } from '../chat/ports.js';
import { Presence } from '../chat/presence.js';
import type { Avatars } from '../chat/avatars.js';
import type { ProfileSource } from '../chat/profiles.js';
import { loadFileLinkKey } from '../auth/file-link-key.js';
import { FileLinks } from '../auth/file-links.js';
import type { Authenticator } from '../auth/sessions.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { mountAvatarRoutes } from './avatar-routes.js';
import { mountFileLinkRoutes } from './file-link-routes.js';
import { mountFileRoutes } from './file-routes.js';
import { ImageProbe } from './image-probe.js';
import type { Metrics } from './metrics.js';
import type { SocketRegistry } from './socket-registry.js';
import type { HttpRoutes } from './http-guard.js';

/** What the message features read of the store: state to start from, then files and accounts per request. */
export interface FeatureReads extends AccountStatus {
  changes: FileRecords & {
    /** (room, user) pairs that muted the room. */
    mutedMembers(): Iterable<{ room_id: number; user_id: number }>;
    /** Every user's last-seen time. */
    lastSeen(): Iterable<{ id: number; last_seen_at: number | null }>;
  };
}

/** A background job the features start with the server and stop before it closes. */
export interface FeatureJob {
  start(): void;
  stop(): Promise<void>;
}

export interface MessageFeatureDeps {
  auth: Authenticator;
  config: Config;
  reader: FeatureReads;
  /** Avatars and whether a link's holder is still enabled. */
  avatars: Avatars;
  profiles: ProfileSource;
  writer: WriteQueue & WriteRunner;
  /** The uploads' bytes; the server makes them, from the store. */
  blobs: BlobSpace;
  /** Scrubbing hidden text and forgetting unsent files, on the retention schedule. */
  cleanup: FeatureJob;
  membership: Membership;
  sockets: SocketRegistry;
  fanout: Fanout;
  metrics: Metrics;
  log: Logger;
  /** The retention clock, which file links also expire by (tests move it). */
  now?: () => number;
}

export interface MessageFeatures {
  actions: MessageActions;
  /** Who may upload and fetch files, and the image probe: the Matrix door's media endpoints share them. */
  files: Files;
  images: ImageProbe;
  mutes: Mutes;
  presence: Presence;
  mount(app: HttpRoutes): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Wires the message features into the server in one place: files, edits, deletions,
 * reactions, mutes and presence, and their cleanup job.
 */
export function messageFeatures(deps: MessageFeatureDeps): MessageFeatures {
  const { config, reader, writer, blobs, cleanup, membership, sockets, fanout, metrics, log } = deps;
  const mutes = Mutes.from(reader.changes.mutedMembers());
  const presence = new Presence({
    membership, fanout, enabled: config.presence, maxRoomSize: config.presenceMaxRoomSize,
    socketCount: (user) => sockets.countForUser(user),
    lastSeen: reader.changes.lastSeen(),
    onOffline: (user, at) => void writer.run({ k: 'seen', users: [[user, at]] }),
  });
  metrics.gauge('roost_presence_online_users', 'Users with at least one open socket.', () => sockets.users);
  const actions = new MessageActions({
    writer, fanout, membership, mutes, presence, subscriptions: sockets,
    editWindowMs: config.editWindowSeconds * 1000,
    onFreed: (shas) => blobs.release(shas),
  });
  const files = new Files({ records: reader.changes, accounts: reader, membership, writer });
  const links = new FileLinks(loadFileLinkKey(config.dataDir), config.fileLinkSeconds, deps.now);
  const images = new ImageProbe(log);
  return {
    actions, mutes, presence, files, images,
    mount: (app) => {
      mountFileRoutes(app, { auth: deps.auth, config, files, metrics, log, blobs, links, images });
      mountAvatarRoutes(app, { auth: deps.auth, config, avatars: deps.avatars, profiles: deps.profiles, writer, metrics, log, blobs, links, images });
      mountFileLinkRoutes(app, { auth: deps.auth, config, files, metrics, log, links });
    },
    start: () => cleanup.start(),
    async stop() {
      presence.stop();
      await cleanup.stop();
    },
  };
}
