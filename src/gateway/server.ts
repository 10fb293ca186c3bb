import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { us_listen_socket } from '@based/uws';
import { Accounts } from '../auth/accounts.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { SessionCache } from '../auth/session-cache.js';
import { Authenticator } from '../auth/sessions.js';
import { TokenRefresher } from '../auth/token-refresh.js';
import { AdminService } from '../chat/admin-service.js';
import { adminDirectory, sessionIssuer } from '../chat/admin-sources.js';
import { Membership } from '../chat/membership.js';
import { MemberList } from '../chat/member-list.js';
import { RoomActions } from '../chat/room-actions.js';
import { roomTopic, type Fanout } from '../chat/ports.js';
import type { WindowTimer } from '../chat/read-receipts.js';
import { Avatars } from '../chat/avatars.js';
import { Profiles } from '../chat/profiles.js';
import { ChatService } from '../chat/service.js';
import { Integrations } from '../chat/integrations.js';
import { Assistant } from '../chat/assistant.js';
import { TurnQueue } from '../chat/turn-queue.js';
import { TypingState } from '../chat/typing.js';
import type { CommitWatch } from '../chat/ports.js';
import { mountMatrix } from '../matrix/door.js';
import { MatrixReader } from '../store/read/matrix-reader.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { CLOSE_CODES, CLOSE_REASONS } from '../protocol/errors.js';
import type { FrameLimits } from '../protocol/parse.js';
import { AdminWorker, RESTART_AFTER_MS } from '../store/admin/admin-worker.js';
import { databasePath, openReadOnly } from '../store/db/database.js';
import { acquireDataLock } from '../store/db/data-lock.js';
import { CleanupJob } from '../jobs/cleanup-job.js';
import { startHistoryJobs, type HistoryJobHooks, type HistoryJobs } from '../jobs/history-jobs.js';
import { AccountReader } from '../store/read/account-reader.js';
import { BlobStore } from '../store/files/blob-store.js';
import { Reader } from '../store/read/reader.js';
import { IntegrationReader } from '../store/read/integration-reader.js';
import { SearchService } from '../store/search/search.js';
import { Writer } from '../store/write/writer.js';
import { writeOpIds } from '../store/write/write-op-size.js';
import { mountAccountRoutes } from './account-routes.js';
import { mountAdminDoor } from './admin-door.js';
import { mountApi } from './api-routes.js';
import { EventsFollower } from './events-follower.js';
import { LagSweeper } from './lag-sweep.js';
import { listenExclusive } from './listen.js';
import { Exchange } from './http.js';
import { mountMemberRoutes } from './member-routes.js';
import { messageFeatures } from './message-features.js';
import { countLabelled, Metrics } from './metrics.js';
import { SendBatch } from './send-batch.js';
import { SocketRegistry } from './socket-registry.js';
import { tokenKey } from './socket-state.js';
import { mountStatic } from './static-routes.js';
import { sslAppOptions, tlsFiles } from './tls.js';
import { loadUws } from './uws.js';
import { wsBehavior } from './ws-handler.js';
import { guardedRoutes } from './http-guard.js';
import { mountHookRoutes } from './hook-routes.js';
import { mountIntegrationRoutes } from './integration-routes.js';
import { OutgoingWebhooks } from './outgoing-webhooks.js';
import { streamCompletion } from './llm-client.js';
import { UserFrameBuckets } from './user-rate.js';

export interface RoostServer {
  readonly port: number;
  readonly metrics: Metrics;
  readonly sockets: SocketRegistry;
  /** The Matrix door's held `/sync` requests now. */
  matrixHeld(): number;
  /** Retention purge and scheduled backups. */
  readonly history: HistoryJobs;
  /** The id of the last admin event (CLI change) applied to live state: how far the events follower got. */
  appliedEventId(): number;
  /** Stop accepting, commit and ack what is queued, close sockets with 1001, checkpoint, close. */
  close(): Promise<void>;
  /** Resolves when the server has stopped, for any reason. */
  readonly stopped: Promise<void>;
}

/** What tests replace: retention's clock, the read receipts window's timer, a failing socket. */
export interface ServerHooks extends HistoryJobHooks {
  /** Replaces the read receipts windows' timer and clock (tests end windows by hand). */
  receiptTimer?: WindowTimer;
  /**
   * Called as a frame is sent to a socket (before it is written or gathered
   * for the batch); a throw stands for a socket failing at that moment. A
   * dependency, not a global, so only the server a test starts is affected.
   */
  sendFault?: (userId: number, frame: string) => void;
  /**
   * How often the events follower looks for changes other processes (the CLI)
   * made: 500 ms unless a test, which makes such changes by the dozen, wants
   * to wait less for each.
   */
  followEveryMs?: number;
}

/** How often changes made by the CLI (another process) reach live sockets, at the latest. */
const FOLLOW_EVERY_MS = 500;
/**
 * How long a session row read for a Matrix GET is trusted without reading it
 * again, and how many are kept. Whatever ends a session is told at once (the
 * server's own logouts forget the token; the CLI's revocations and disabled
 * users come through the events feed within FOLLOW_EVERY_MS, and forget every
 * row), so this bounds only what is never told: a row's server role, which no
 * Matrix GET decides on. Longer than a held poll (60 s at most), so a client
 * that keeps polling is read from the store about once a minute, not at every
 * re-poll after a quiet spell.
 */
const RECENT_SESSION_MS = 60_000;
const RECENT_SESSIONS_MAX = 20_000;

/** Sync reads done per event-loop turn before timers and other sockets get their turn. */
const SYNC_SLICE_MS = 10;

export function frameLimits(config: Config): FrameLimits {
  return {
    maxBodyChars: config.maxBodyChars,
    maxHistoryLimit: config.maxHistoryLimit,
    maxSyncLimit: config.maxSyncLimit,
    maxSyncRooms: config.maxSyncRooms,
    maxSearchLimit: config.maxSearchLimit,
  };
}

/** Origins allowed: the server's own (the Host it was reached by) and the configured list. */
function originChecker(config: Config): (origin: string, host: string) => boolean {
  const allowed = new Set(config.allowedOrigins.map((o) => o.toLowerCase()));
  return (origin, host) => {
    const o = origin.toLowerCase();
    if (allowed.has(o)) return true;
    try {
      return new URL(o).host === host.toLowerCase();
    } catch {
      return false;
    }
  };
}

/** A file's size, 0 when absent (the WAL exists only while a connection is open). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Starts Roost on a data folder whose schema the writer brings up to date. */
export async function startServer(config: Config, log: Logger, hooks: ServerHooks = {}): Promise<RoostServer> {
  const tls = tlsFiles(config);
  // uWS reads its request-head limit from the environment once, when it loads.
  process.env.UWS_HTTP_MAX_HEADERS_SIZE = String(config.maxHeaderBytes);
  const uws = loadUws();
  const metrics = new Metrics();
  let accepting = false;
  let stop: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let closing: Promise<void> | null = null;

  // roost.pid: restore refuses while it names a live server, and two servers never share a folder.
  const releaseLock = acquireDataLock(config.dataDir, 'server');
  // Set once the app exists; the writer delivers nothing before the server listens.
  let sendBatch: SendBatch;
  const writer = await Writer.start({
    dataDir: config.dataDir,
    synchronous: config.synchronous,
    queueMax: config.writerQueueMax,
    queueBytes: config.writerQueueBytes,
    batchMax: config.writerBatchMax,
    parkAfterMs: config.writerParkSeconds * 1000,
    onPark: (parked) => log.debug({ parked }, parked ? 'writer thread parked: nothing to write' : 'writer thread started again for a write'),
    deliver: (run) => sendBatch.run(run),
    onBatch: (size, ms) => {
      metrics.batchSize.observe(size);
      metrics.commitSeconds.observe(ms / 1000);
    },
    onError: (err, op) => log.error({ err, ...(op === undefined ? {} : writeOpIds(op)) }, 'a write\'s callback failed; the rest of its batch was delivered'),
    onFatal: (message) => {
      log.fatal({ reason: message }, 'writer thread failed; shutting down');
      void close();
    },
  }).catch((err: unknown) => {
    releaseLock();
    throw err;
  });
  const readerDb = openReadOnly(config.dataDir);
  const reader = new Reader(readerDb);
  const membership = Membership.from(reader.memberships());
  const search = new SearchService(config.dataDir);
  const sockets = new SocketRegistry();
  const accountReader = new AccountReader(readerDb);
  const tokenTtlMs = config.tokenTtlDays * 24 * 60 * 60 * 1000;
  // The Matrix door's GETs may use a session row read within RECENT_SESSION_MS (auth/session-cache.ts).
  const auth = new Authenticator(accountReader, new TokenRefresher(writer, tokenTtlMs), Date.now, new SessionCache(RECENT_SESSION_MS, RECENT_SESSIONS_MAX));
  const app = tls === undefined ? uws.App() : uws.SSLApp(sslAppOptions(tls));
  const countPublished = countLabelled(metrics.labelled('roost_frames_published_total', 'Frames published to a room topic (uWS copies each to every subscriber), by type.', 'type'));
  const publishNow = (topic: string, frame: string): void => {
    countPublished(frame);
    app.publish(topic, frame, false);
  };
  sendBatch = new SendBatch(publishNow, (err) => log.error({ err }, 'a socket\'s batched frames or a publish failed; the rest of the batch went out'));
  // User and room ids are built on the server name: once stored it never changes.
  const wantedName = config.matrixServerName !== '' ? config.matrixServerName : hostname();
  const named = await writer.run({ k: 'matrix-server-name', name: wantedName });
  if (!named.ok || (config.matrixServerName !== '' && named.name !== config.matrixServerName)) {
    await writer.close();
    await search.close();
    readerDb.close();
    releaseLock();
    const stored = named.ok ? named.name : '?';
    throw new Error(`matrixServerName is "${config.matrixServerName}" but this data folder's Matrix server name is "${stored}": it cannot change once user and room ids exist (remove the setting to keep "${stored}")`);
  }
  const serverName = named.name;
  // Held Matrix polls listen beside the sockets; set once the door is mounted.
  let watch: CommitWatch | undefined;
  /** The Matrix door's held polls of revoked tokens (it is mounted after the accounts that revoke them). */
  let revokeHeld: ((user: number, hashes: readonly string[]) => void) | undefined;
  const integrationReader = new IntegrationReader(readerDb);
  // Sees each published message after it is durable; queues deliveries, never waits on them.
  const outgoing = new OutgoingWebhooks({
    config, source: integrationReader, metrics, log,
    isMember: (room, user) => membership.isMember(room, user),
    reply: (w, text) => integrations.reply(w, text, (o) => {
      if (!o.ok) log.warn({ webhook: w.id, code: o.code }, 'an outgoing webhook\'s answer could not be posted');
    }),
  });
  outgoing.reload();
  // The assistant's setting, read at start and again when the events feed says integrations changed.
  let assistantSetting = integrationReader.assistant();
  const assistant = new Assistant({
    config, setting: () => assistantSetting, membership, history: reader, search: { search: (user, ask) => chat.search(user, ask) },
    readSeq: (room, user) => integrationReader.readSeq(room, user),
    roomName: (room) => integrationReader.roomName(room),
    nameOf: (user) => accountReader.profile(user)?.name ?? `user ${user}`,
    send: (user, room, body, clientMsgId, done, extras) => chat.send(user, room, body, clientMsgId, done, extras),
    edit: (op, done) => features.actions.apply(op, done),
    complete: (ask) => streamCompletion(ask),
    log,
  });
  metrics.gauge('roost_assistant_queue_depth', 'Questions waiting for or being answered by the assistant (bounded by assistantQueueMax).', () => assistant.depth);
  const integrationsChanged = (): void => {
    outgoing.reload();
    assistantSetting = integrationReader.assistant();
  };
  const fanout: Fanout = {
    publish: (topic, frame) => {
      if (!sendBatch.deferPublish(topic, frame)) publishNow(topic, frame);
      outgoing.observe(topic, frame);
      assistant.observe(topic, frame);
      watch?.topic(topic);
    },
    toUser: (user, frame) => {
      sockets.sendToUser(user, frame);
      watch?.user(user);
    },
  };
  const limits = frameLimits(config);
  const blobs = new BlobStore(config.dataDir, (sha) => reader.changes.hasContent(sha));
  const cleanup = new CleanupJob(readerDb, writer, blobs, { intervalMs: config.retentionCheckSeconds * 1000, now: hooks.now, log });
  const avatars = new Avatars(accountReader, membership);
  const features = messageFeatures({
    auth, avatars, profiles: accountReader,
    config, reader, writer, blobs, cleanup, membership, sockets, fanout, metrics, log, now: hooks.now,
  });
  // A sync reads at most maxSyncTotal rows; queued, a storm of them yields to timers and I/O every few ms.
  const syncReads = new TurnQueue(SYNC_SLICE_MS, config.maxQueuedSyncs, (err) => log.error({ err }, 'sync read failed'));
  const rooms = new RoomActions({ writer, fanout, membership, subscriptions: sockets, reads: reader, mutes: features.mutes });
  const typing = new TypingState((room) => watch?.topic(roomTopic(room)), (err) => log.error({ err }, 'telling a typing lapse failed'));
  const profiles = new Profiles({ profiles: accountReader, writer, fanout, membership });
  const chat = new ChatService({
    history: reader, writer, fanout, membership, search, limits, maxSyncTotal: config.maxSyncTotal, deferReads: (job) => syncReads.push(job), actions: features.actions, mutes: features.mutes,
    profiles,
    rooms,
    typing,
    receiptWindowMs: config.receiptWindowMs, receiptTimer: hooks.receiptTimer,
    rateLimits: { framesPerSecond: config.framesPerSecond, frameBurst: config.frameBurst, userFramesPerSecond: config.userFramesPerSecond, userFrameBurst: config.userFrameBurst },
    onCommitted: (n) => metrics.inc('roost_messages_committed_total', 'Messages made durable and published.', undefined, n),
    onError: (err, where) => log.error({ err, ...where }, 'answering a frame failed'),
  });
  const throttle = new LoginThrottle({
    failuresPerUser: config.loginFailuresPerUser,
    failuresPerIp: config.loginFailuresPerIp,
    backoffMs: config.loginBackoffSeconds * 1000,
  });
  const accounts = new Accounts({
    store: accountReader, writer, throttle, tokenTtlMs, log,
    ended: (user, hashes) => {
      auth.forget(hashes);
      for (const hash of hashes) sockets.closeUser(user, CLOSE_CODES.token_revoked, CLOSE_REASONS.token_revoked, tokenKey(hash));
      revokeHeld?.(user, hashes);
    },
  });
  metrics.gauge('roost_connections', 'Open WebSocket connections.', () => sockets.size);
  metrics.gauge('roost_writer_queue_depth', 'Writes waiting for or in a commit.', () => writer.depth);
  metrics.gauge('roost_writer_running', 'Whether the writer thread is running (0 while parked after writerParkSeconds with nothing to write).', () => (writer.running ? 1 : 0));
  metrics.gauge('roost_writer_queue_bytes', 'Estimated bytes of the writes waiting for a commit (bounded by writerQueueBytes).', () => writer.queuedBytes);
  const walFile = `${databasePath(config.dataDir)}-wal`;
  metrics.gauge('roost_wal_bytes', 'Size of the SQLite write-ahead log (checkpoints keep it bounded).', () => fileBytes(walFile));

  // One rate per user whichever door a write comes through: more doors must not multiply what an account may send.
  const userRate = new UserFrameBuckets(config.userFramesPerSecond, config.userFrameBurst);
  app.ws('/ws', wsBehavior({
    sendBatch,
    config, chat, membership, sockets, metrics, log, limits, auth, presence: features.presence, mutes: features.mutes,
    sendFault: hooks.sendFault, userRate,
    // Asked at an upgrade, after the Matrix door below is mounted.
    heldPollsOf: (user) => matrix.heldBy(user),
    isAccepting: () => accepting,
    originAllowed: originChecker(config),
  }));
  // Every HTTP route behind one guard: a handler that throws costs its request a 500, not the server.
  const routes = guardedRoutes(app, log);
  mountApi(routes, {
    config, chat, history: reader, accounts, metrics, limits, auth, userRate,
    writerLoad: () => ({ depth: writer.depth, bytes: writer.queuedBytes }),
    isHealthy: () => accepting && writer.alive,
  });
  mountAccountRoutes(routes, { auth, accounts, metrics, maxBodyBytes: config.maxHttpBodyBytes });
  mountMemberRoutes(routes, { auth, members: new MemberList(membership, reader), metrics });
  // The admin page's changes run on the admin thread's own connection, then reach live sockets
  // through the events follower's poll (it exists by the time any request arrives).
  const adminStore = new AdminWorker(config.dataDir, config.synchronous,
    (reason) => log.error({ reason }, `admin thread failed; admin actions and invitation links answer unavailable until one starts it again (after ${RESTART_AFTER_MS / 1000} s)`));
  const admin = new AdminService({
    store: adminStore, directory: adminDirectory(reader), issueSession: sessionIssuer(writer, config.tokenTtlDays * 24 * 60 * 60 * 1000),
    afterChange: () => follower.poll(),
    onError: (err) => log.error({ err }, 'applying an admin change to live sockets failed; the events follower catches up'),
  });
  const integrations = new Integrations({
    store: adminStore, source: integrationReader, membership,
    send: (user, room, body, clientMsgId, done) => chat.send(user, room, body, clientMsgId, done),
    afterChange: () => follower.poll(),
    onError: (err) => log.error({ err }, 'applying an integration change to live sockets failed; the events follower catches up'),
  });
  mountHookRoutes(routes, { config, integrations, metrics });
  mountIntegrationRoutes(routes, { config, auth, integrations, metrics, tls: tls !== undefined });
  mountAdminDoor(routes, {
    admin, auth, throttle, metrics, log, tls: tls !== undefined,
    connections: () => sockets.size, writerDepth: () => writer.depth, isHealthy: () => accepting && writer.alive,
  });
  const matrix = mountMatrix(routes, {
    serverName, auth, accounts, chat, rooms, roomReads: reader, actions: features.actions, profiles, history: reader, membership,
    store: new MatrixReader(readerDb), writer, search, typing,
    maxBodyBytes: config.maxHttpBodyBytes, maxEvents: config.maxSyncLimit, limits,
    userRate, connections: { maxPerUser: config.maxSocketsPerUser, socketsOf: (user) => sockets.countForUser(user) },
    onError: (err, where) => log.error({ err, where }, 'a Matrix request failed'),
    media: {
      files: features.files, avatars, blobs, images: features.images, metrics, log,
      maxUploadBytes: config.maxUploadBytes, uploadQuotaBytes: config.uploadQuotaBytes,
    },
  });
  watch = matrix.watch;
  revokeHeld = (user, hashes) => matrix.revoked(user, hashes);
  mountStatic(routes, log);
  features.mount(routes);
  routes.any('/*', (res) => new Exchange(res).error('not_found', 'no such route'));

  const follower = new EventsFollower(reader, membership, sockets, fanout, log, features.mutes, accountReader, integrationsChanged, () => auth.forgetAll());
  const lagSweeper = new LagSweeper(sockets, config.maxBackpressureBytes, (s) => {
    metrics.inc('roost_backpressure_closes_total', 'Sockets closed with 1013 for falling behind (over maxBackpressureBytes).');
    log.info({ conn: s.id, user: s.userId, ip: s.ip }, 'socket fell behind; closing it with 1013');
  });
  let listenSocket: us_listen_socket;
  try {
    listenSocket = await listenExclusive(app, config.host, config.port);
  } catch (err) {
    await adminStore.close();
    await writer.close();
    await search.close();
    readerDb.close();
    releaseLock();
    throw err;
  }
  const port = uws.us_socket_local_port(listenSocket);
  accepting = true;
  follower.start(hooks.followEveryMs ?? FOLLOW_EVERY_MS);
  features.start();
  lagSweeper.start(1000);
  const history = startHistoryJobs(config, readerDb, writer, log, hooks);
  log.info({ host: config.host, port, tls: tls !== undefined, dataDir: config.dataDir, synchronous: config.synchronous }, 'roost listening');

  async function close(): Promise<void> {
    closing ??= (async () => {
      accepting = false;
      uws.us_listen_socket_close(listenSocket);
      follower.stop();
      lagSweeper.stop();
      outgoing.stop();
      assistant.stop();
      await history.stop();
      await features.stop();
      await adminStore.close();
      // Everything queued commits and is acked while its sockets are still open.
      await writer.idle();
      chat.close();
      matrix.close();
      sockets.closeAll(CLOSE_CODES.going_away, CLOSE_REASONS.going_away);
      await writer.close();
      await search.close();
      readerDb.close();
      releaseLock();
      metrics.close();
      app.close();
      log.info('roost stopped');
      stop?.();
    })();
    return closing;
  }

  return { port, metrics, sockets, history, close, stopped, appliedEventId: () => follower.applied, matrixHeld: () => matrix.held() };
}
