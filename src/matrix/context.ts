import type { FrameLimits } from '../protocol/parse.js';
import type { Accounts } from '../auth/accounts.js';
import type { MatrixStore } from '../chat/matrix-store.js';
import type { Membership } from '../chat/membership.js';
import type { MessageActions } from '../chat/message-actions.js';
import type { CommitWatch, HistorySource, SearchSource, WriteRunner } from '../chat/ports.js';
import type { Profiles } from '../chat/profiles.js';
import type { RoomActions, RoomReads } from '../chat/room-actions.js';
import type { ChatService } from '../chat/service.js';
import type { TypingState } from '../chat/typing.js';
import type { HeldPolls } from './held-polls.js';
import type { MatrixIds } from './ids.js';
import type { LastAnswers } from './last-answers.js';
import type { SyncBuilder } from './sync.js';

/** Everything the Matrix door's endpoints use: chat services, the door's own reads, and its ids. */
export interface MatrixContext {
  ids: MatrixIds;
  accounts: Accounts;
  chat: ChatService;
  rooms: RoomActions;
  roomReads: RoomReads;
  actions: MessageActions;
  profiles?: Profiles;
  history: HistorySource;
  membership: Membership;
  store: MatrixStore;
  /** The promise form of the write queue, for the door's own rows (filters, account data, device names). */
  writer: WriteRunner;
  search: SearchSource;
  typing: TypingState;
  polls: HeldPolls;
  sync: SyncBuilder;
  /** Each device's last `/sync` answer and whether anything was told since: a re-poll with nothing new is held without a read. */
  answers: LastAnswers;
  /**
   * Told after a commit of the door's own rows (account data) that nothing
   * else publishes: the user's held `/sync` requests answer with it now.
   */
  watch: CommitWatch;
  /** Most timeline events per room in one sync or page (`maxSyncLimit`). */
  maxEvents: number;
  /** A held `/sync` is a connection too: the user's sockets and held polls together stay within `maxSocketsPerUser`. */
  connections: { maxPerUser: number; socketsOf: (user: number) => number };
  /** The native frame limits: what a door hands the rules core is checked by the one frame parser. */
  limits: FrameLimits;
  now: () => number;
}
