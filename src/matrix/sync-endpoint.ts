import { invalidParam, matrixError, notFound } from './errors.js';
import type { AnswerWaiter } from './exchange.js';
import { FilterCache, readFilter, type SyncFilter } from './filters.js';
import type { HeldPoll } from './held-polls.js';
import { client, type AuthedRequest, type MatrixRouter } from './router.js';
import type { SyncAsk, SyncBuilt } from './sync.js';
import { decodeSince, type SyncPosition } from './sync-token.js';
import type { MatrixContext } from './context.js';

/** The longest a `/sync` is held, whatever `timeout` asks. */
const MAX_HOLD_MS = 60_000;
/** What a poll over the user's connection limit is told to wait: a slot frees only when another connection ends. */
const FULL_RETRY_MS = 5_000;

/**
 * `GET /sync`: answered at once when there is something after `since` (or
 * without `since`: the initial sync); else held until a commit in one of the
 * user's rooms (or to the user) brings something, or `timeout` passes. The
 * held request keeps only its user, position and filter.
 */
export function mountSync(router: MatrixRouter, c: MatrixContext): void {
  const noFilter = readFilter({}, c.maxEvents);
  const filters = new FilterCache();
  router.authed('GET', client('sync'), (r: AuthedRequest) => {
    const q = r.query;
    let filter: SyncFilter | undefined;
    const f = q.get('filter');
    if (f === null) filter = noFilter;
    else if (f.trimStart().startsWith('{')) {
      try {
        filter = filters.get(f, () => readFilter(JSON.parse(f) as unknown, c.maxEvents));
      } catch {
        return r.ex.fail(invalidParam('filter is neither a filter id nor JSON'));
      }
    } else {
      const user = r.session.userId;
      filter = /^[1-9][0-9]{0,9}$/.test(f) ? filters.get(`${user}:${f}`, () => {
        const stored = c.store.filter(user, Number(f));
        return stored === undefined ? undefined : readFilter(JSON.parse(stored) as unknown, c.maxEvents);
      }) : undefined;
    }
    if (filter === undefined) return r.ex.fail(notFound('No such filter'));
    const sinceText = q.get('since');
    const since = sinceText === null ? null : decodeSince(sinceText);
    if (sinceText !== null && since === null) return r.ex.fail(invalidParam('since is not a token this server gave'));
    const timeoutText = q.get('timeout');
    const timeout = timeoutText === null ? 0 : Math.min(MAX_HOLD_MS, Math.max(0, Number(timeoutText) || 0));
    const ask: SyncAsk = { user: r.session.userId, since, filter, fullState: q.get('full_state') === 'true', deviceId: r.session.deviceId };
    // The token just answered, with nothing told since: a read would find nothing.
    if (sinceText !== null && timeout > 0 && !ask.fullState && c.answers.unchanged(ask.user, ask.deviceId, sinceText)) return holdSync(c, r.ex, ask, timeout, r.session.tokenHash);
    // Read on the snapshot the router opened for this GET (its session lookup included).
    const first = c.sync.build(ask);
    if (!first.empty || since === null || timeout === 0) return answer(c, r.ex, ask, first);
    holdSync(c, r.ex, ask, timeout, r.session.tokenHash);
  });
}

/** Sends a reply; one that reached the store's head is the device's last answer. */
function answer(c: MatrixContext, ex: AuthedRequest['ex'], ask: SyncAsk, built: SyncBuilt): void {
  if (built.head) c.answers.answered(ask.user, ask.deviceId, built.body.next_batch);
  if (built.text !== undefined) ex.send(200, built.text);
  else ex.json(built.body);
}

/**
 * A held `/sync`: the exchange and the ask (user, device, position, filter —
 * the poll is its own ask), never the request with its headers and query,
 * nor its rooms (a commit finds the polls of its room's members). A class,
 * not an object of closures: thousands are held at once, and methods on the
 * prototype cost nothing per poll.
 */
class HeldSync implements HeldPoll, SyncAsk, AnswerWaiter {
  readonly user: number;
  readonly since: SyncPosition | null;
  readonly filter: SyncFilter;
  readonly fullState: boolean;
  readonly deviceId: string | undefined;
  readonly deadline: number;

  constructor(private readonly c: MatrixContext, private readonly ex: AuthedRequest['ex'], ask: SyncAsk, timeout: number, readonly tokenHash: string) {
    this.user = ask.user;
    this.since = ask.since;
    this.filter = ask.filter;
    this.fullState = ask.fullState;
    this.deviceId = ask.deviceId;
    this.deadline = c.now() + timeout;
  }

  retry(): boolean {
    if (this.ex.aborted) return true;
    const again = this.c.sync.build(this);
    if (again.empty) return false;
    answer(this.c, this.ex, this, again);
    return true;
  }

  expire(): void {
    answer(this.c, this.ex, this, this.c.store.snapshot(() => this.c.sync.build(this)));
  }

  revoked(): void {
    if (!this.ex.aborted) this.ex.fail(matrixError(401, 'M_UNKNOWN_TOKEN', 'The access token was revoked (logged out or its device deleted)'));
  }

  clientGone(): void {
    this.c.polls.drop(this);
  }
}

function holdSync(c: MatrixContext, ex: AuthedRequest['ex'], ask: SyncAsk, timeout: number, tokenHash: string): void {
  if (c.polls.heldBy(ask.user) + c.connections.socketsOf(ask.user) >= c.connections.maxPerUser) {
    return ex.fail(matrixError(429, 'M_LIMIT_EXCEEDED', 'Too many connections for this user (sockets and held /sync requests)', FULL_RETRY_MS));
  }
  const poll = new HeldSync(c, ex, ask, timeout, tokenHash);
  ex.waitWith(poll);
  c.polls.hold(poll);
}
