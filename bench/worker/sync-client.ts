/**
 * One Matrix client as the bench plays it: an initial `/sync`, then a
 * `/sync?since=…&timeout=…` long-poll re-sent the moment each answer arrives,
 * over one HTTP/1.1 keep-alive connection of its own. It stops on `stop()`,
 * or after a few failed requests in a row.
 */
import { RawHttpConnection } from './raw-http.js';

/**
 * A client's sync filter: only the senders' member events, and a timeline long
 * enough (50 per room) that a poll answered late still carries every message
 * it missed, so deliveries can be counted exactly.
 */
export const BENCH_SYNC_FILTER = JSON.stringify({ room: { timeline: { limit: 50 }, state: { lazy_load_members: true } } });

/** Failed requests in a row after which a client stops polling (counted as dropped). */
const MAX_ERRORS_IN_A_ROW = 3;
/** Past the server's hold, how long the client waits for an answer before it gives up on a request. */
const ANSWER_GRACE_MS = 10_000;

export interface SyncClientOptions {
  /** http://host:port */
  base: string;
  token: string;
  /** `timeout` of every long-poll (the server holds at most 60 s). */
  holdMs: number;
  connectTimeoutMs: number;
  localAddress?: string;
}

export interface SyncClientEvents {
  /** The initial sync was answered: the client now long-polls. */
  established(): void;
  /** The initial sync failed: the client never started. */
  failed(reason: string): void;
  /** A long-poll was answered (`text` is the body). */
  answered(text: string): void;
  /** A long-poll failed (`timeout`: the client gave up waiting); it is sent again unless too many failed in a row. */
  error(reason: string, timeout: boolean): void;
  /** The client stopped after too many failures in a row. */
  dropped(reason: string): void;
}

export class SyncClient {
  private readonly conn: RawHttpConnection;
  private readonly headers: string[];
  private readonly filter = encodeURIComponent(BENCH_SYNC_FILTER);
  private since: string | null = null;
  private stopped = false;
  private errorsInARow = 0;

  constructor(private readonly o: SyncClientOptions, private readonly on: SyncClientEvents) {
    const base = new URL(o.base);
    this.conn = new RawHttpConnection({ host: base.hostname, port: Number(base.port), ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }) });
    this.headers = [`Authorization: Bearer ${o.token}`];
  }

  start(): void {
    this.poll();
  }

  stop(): void {
    this.stopped = true;
    this.conn.destroy();
  }

  private poll(): void {
    if (this.stopped) return;
    const initial = this.since === null;
    const q = initial ? 'timeout=0' : `since=${encodeURIComponent(this.since ?? '')}&timeout=${this.o.holdMs}`;
    const wait = initial ? this.o.connectTimeoutMs : this.o.holdMs + ANSWER_GRACE_MS;
    this.conn.get(`/_matrix/client/v3/sync?${q}&filter=${this.filter}`, this.headers, wait, (err, answer) => {
      if (err !== null || answer === undefined) return this.failure(initial, err?.code ?? 'error', err?.code === 'timeout');
      const next = nextBatchOf(answer.body);
      if (answer.status !== 200 || next === null) return this.failure(initial, `http_${answer.status}`, false);
      this.since = next;
      this.errorsInARow = 0;
      if (initial) this.on.established();
      else this.on.answered(answer.body);
      this.poll();
    });
  }

  private failure(initial: boolean, reason: string, timeout: boolean): void {
    if (this.stopped) return;
    if (initial) {
      this.stop();
      return this.on.failed(reason);
    }
    this.on.error(reason, timeout);
    this.errorsInARow += 1;
    if (this.errorsInARow >= MAX_ERRORS_IN_A_ROW) {
      this.stop();
      return this.on.dropped(reason);
    }
    this.poll();
  }
}

/** `next_batch` of a sync answer, read without parsing the whole body. */
export function nextBatchOf(text: string): string | null {
  const key = '"next_batch":"';
  const at = text.indexOf(key);
  if (at === -1) return null;
  const end = text.indexOf('"', at + key.length);
  return end === -1 ? null : text.slice(at + key.length, end);
}
