import type { Membership } from '../chat/membership.js';
import { MessageActions } from '../chat/message-actions.js';
import { Mutes } from '../chat/mutes.js';
import type { Fanout } from '../chat/ports.js';
import { Presence } from '../chat/presence.js';
import { loadFileLinkKey } from '../auth/file-link-key.js';
import { FileLinks } from '../auth/file-links.js';
import type { Authenticator } from '../auth/sessions.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { BlobStore } from '../store/files/blob-store.js';
import { CleanupJob } from '../jobs/cleanup-job.js';
import type { AccountReader } from '../store/read/account-reader.js';
import type { Reader } from '../store/read/reader.js';
import type { Writer } from '../store/write/writer.js';
import { mountAvatarRoutes } from './avatar-routes.js';
import { mountFileLinkRoutes } from './file-link-routes.js';
import { mountFileRoutes } from './file-routes.js';
import { ImageProbe } from './image-probe.js';
import type { Metrics } from './metrics.js';
import type { SocketRegistry } from './socket-registry.js';
import type { HttpRoutes } from './http-guard.js';

export interface MessageFeatureDeps {
  auth: Authenticator;
  config: Config;
  reader: Reader;
  /** Profiles and avatars. */
  accounts: AccountReader;
  writer: Writer;
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
  mutes: Mutes;
  presence: Presence;
  blobs: BlobStore;
  cleanup: CleanupJob;
  mount(app: HttpRoutes): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Wires the message features into the server in one place: files, edits, deletions,
 * reactions, mutes and presence, and their cleanup job.
 */
export function messageFeatures(deps: MessageFeatureDeps): MessageFeatures {
  const { config, reader, writer, membership, sockets, fanout, metrics, log } = deps;
  const mutes = Mutes.from(reader.changes.mutedMembers());
  const blobs = new BlobStore(config.dataDir, (sha) => reader.changes.hasContent(sha));
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
  const links = new FileLinks(loadFileLinkKey(config.dataDir), config.fileLinkSeconds, deps.now);
  const cleanup = new CleanupJob(reader.db, writer, blobs, { intervalMs: config.retentionCheckSeconds * 1000, now: deps.now, log });
  return {
    actions, mutes, presence, blobs, cleanup,
    mount: (app) => {
      const images = new ImageProbe(log);
      mountFileRoutes(app, { auth: deps.auth, config, reader, membership, writer, metrics, log, blobs, links, images });
      mountAvatarRoutes(app, { auth: deps.auth, config, accounts: deps.accounts, membership, writer, metrics, log, blobs, links, images });
      mountFileLinkRoutes(app, { auth: deps.auth, config, reader, membership, metrics, log, links });
    },
    start: () => cleanup.start(),
    async stop() {
      presence.stop();
      await cleanup.stop();
    },
  };
}
