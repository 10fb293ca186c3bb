import type { Authenticator } from '../auth/sessions.js';
import type { CommitWatch } from '../chat/ports.js';
import type { HttpRoutes } from '../gateway/http-guard.js';
import type { UserFrameBuckets } from '../gateway/user-rate.js';
import { mountAccountEndpoints } from './account-endpoints.js';
import type { MatrixContext } from './context.js';
import { HeldPolls } from './held-polls.js';
import { MatrixIds } from './ids.js';
import { LastAnswers } from './last-answers.js';
import { mountMediaEndpoints, type MatrixMediaDeps } from './media-endpoints.js';
import { mountMessageEndpoints } from './message-endpoints.js';
import { mountDirectoryEndpoints, mountRoomEndpoints } from './room-endpoints.js';
import { MatrixRouter } from './router.js';
import { mountSearchEndpoint } from './search-endpoint.js';
import { mountStubs } from './stubs.js';
import { SyncBuilder } from './sync.js';
import { mountSync } from './sync-endpoint.js';

/** The chat services and reads the door's endpoints use (its context, less what the door makes itself), and its limits. */
export interface MatrixDoorDeps extends Omit<MatrixContext, 'ids' | 'polls' | 'sync' | 'answers' | 'watch' | 'now'> {
  serverName: string;
  auth: Authenticator;
  maxBodyBytes: number;
  /** Each user's write rate, shared with the native door (one budget per account, whichever door it uses). */
  userRate: UserFrameBuckets;
  onError: (err: unknown, where: string) => void;
  now?: () => number;
  /** The native file services behind the content repository; without them its endpoints are unrecognized. */
  media?: MatrixMediaDeps;
}

export interface MatrixDoor {
  /** Where commits are told (the server calls it beside every publish). */
  readonly watch: CommitWatch;
  /** The router, for endpoints mounted by other parts (media). */
  readonly router: MatrixRouter;
  readonly context: MatrixContext;
  /** Held `/sync` requests now. */
  held(): number;
  /** One user's held `/sync` requests (they count with the user's sockets). */
  heldBy(user: number): number;
  /** Answers every held `/sync` (shutting down). */
  close(): void;
  /** Tokens revoked (logout, a deleted device, a disabled account): their held `/sync` requests are answered as such. */
  revoked(user: number, tokenHashes: readonly string[]): void;
}

/**
 * The Matrix client-server door on the server's own uWS app and port: a
 * translator between Matrix JSON and the chat services. No rule is decided
 * here; every refusal is the rules core's, said in Matrix words.
 */
export function mountMatrix(app: HttpRoutes, deps: MatrixDoorDeps): MatrixDoor {
  const now = deps.now ?? Date.now;
  const ids = new MatrixIds(deps.serverName);
  const router = new MatrixRouter({
    auth: deps.auth, maxBodyBytes: deps.maxBodyBytes, rate: deps.userRate,
    onError: (err, method, path) => deps.onError(err, `${method} ${path}`),
    snapshot: (read) => deps.store.snapshot(read),
  });
  const sync = new SyncBuilder({
    ids, store: deps.store, history: deps.history, rooms: deps.roomReads, membership: deps.membership, typing: deps.typing, now,
    historyPage: (user, room, before, limit) => deps.chat.historyPage(user, room, before, limit),
  });
  const polls = new HeldPolls((room) => deps.membership.membersOf(room), (err) => deps.onError(err, 'held /sync'), now, { slice: (wakeUp) => sync.shared(wakeUp), done: () => sync.wakeDone() });
  const answers = new LastAnswers((user) => deps.membership.roomsOf(user));
  // Every commit also drops the sync builder's share of this turn, so no answer after it reuses older reads.
  const watch: CommitWatch = {
    topic: (topic) => {
      sync.committed();
      answers.topic(topic);
      polls.topic(topic);
    },
    user: (user) => {
      sync.committed();
      answers.user(user);
      polls.user(user);
    },
  };
  const context: MatrixContext = {
    ids, accounts: deps.accounts, chat: deps.chat, rooms: deps.rooms, roomReads: deps.roomReads, actions: deps.actions, profiles: deps.profiles,
    history: deps.history, membership: deps.membership, store: deps.store, writer: deps.writer, search: deps.search, typing: deps.typing,
    polls, sync, answers, watch, maxEvents: deps.maxEvents, limits: deps.limits, connections: deps.connections, now,
  };
  mountStubs(router, context);
  mountAccountEndpoints(router, context);
  mountSync(router, context);
  mountRoomEndpoints(router, context);
  mountMessageEndpoints(router, context);
  mountDirectoryEndpoints(router, context);
  mountSearchEndpoint(router, context);
  if (deps.media !== undefined) mountMediaEndpoints(router, ids, deps.media);
  router.mount(app);
  return { watch, router, context, held: () => polls.size, heldBy: (user) => polls.heldBy(user), close: () => polls.closeAll(), revoked: (user, hashes) => polls.revoke(user, hashes) };
}
