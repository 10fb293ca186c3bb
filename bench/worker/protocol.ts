/**
 * What the harness and its load-generator processes say to each other over
 * the fork() IPC channel. Plain data only: it crosses a process boundary.
 */

/**
 * One client connection the worker should open: its token and the room it
 * talks in; `sync`: a Matrix client long-polling `/sync` instead of a WebSocket.
 */
export interface ConnSpec { token: string; room: string; sync?: true }

export interface InitCommand {
  type: 'init';
  /** ws://host:port/ws */
  url: string;
  /** http://host:port (Matrix `/sync` clients). */
  httpBase: string;
  /** `timeout` of a Matrix client's long-polls. */
  syncHoldMs: number;
  /** Source addresses to spread connections over ([] = let the kernel choose). */
  localAddresses: string[];
  conns: ConnSpec[];
  /** App-level ping period per connection (the issue asks for 30 s). */
  pingEveryMs: number;
  /** Give up on one handshake after this long. */
  connectTimeoutMs: number;
  /** Hard stop: the worker exits by itself after this long, whatever happens. */
  lifetimeMs: number;
}

/** Open connections [0, upTo) of this worker's list, at `perSecond`. */
export interface ConnectCommand { type: 'connect'; upTo: number; perSecond: number }

/**
 * Send load. `rate`: this worker's share of messages per second, spread over
 * its senders. `window`: each sender keeps this many sends in flight instead
 * (closed loop, for throughput). Only established connections send.
 */
export interface LoadCommand {
  type: 'load';
  senders: number[];
  mode: 'rate' | 'window';
  rate: number;
  window: number;
  durationMs: number;
  bodyBytes: number;
  /**
   * Every connection sends `read` for the newest message it received, as the
   * web client does, at most once per READ_EVERY_MS per connection.
   */
  reads?: boolean;
}

export interface StatsCommand { type: 'stats' }
export interface StopCommand { type: 'stop' }

export type ToWorker = InitCommand | ConnectCommand | LoadCommand | StatsCommand | StopCommand;

/** The counters a load generator keeps; the pool adds every worker's up. */
export interface LoadCounts {
  established: number;
  connecting: number;
  failed: number;
  failReasons: Record<string, number>;
  /** Connections that closed after being established (a drop, unless we closed them). */
  dropped: number;
  dropCodes: Record<string, number>;
  sent: number;
  acked: number;
  ackErrors: Record<string, number>;
  delivered: number;
  pongs: number;
  /** Sends not made because a sender's backlog was full (offered load the client could not place). */
  skipped: number;
  /** `read` frames sent (with LoadCommand.reads). */
  readsSent: number;
  /** `receipt` and `receipts` frames received. */
  receiptFrames: number;
  /** Matrix clients: long-polls answered, answered with nothing (held to their timeout), failed, given up by the client. */
  syncsAnswered: number;
  syncsEmpty: number;
  syncErrors: number;
  syncTimeouts: number;
  syncErrorReasons: Record<string, number>;
  /** Stamped messages found in `/sync` answers. */
  syncDelivered: number;
  loadRunning: boolean;
}

/** Cumulative counters plus latency histograms for the interval since the last stats. */
export interface WorkerStats extends LoadCounts {
  type: 'stats';
  /** hdr-histogram, compressed base64, microseconds, this interval only. */
  ackHist: string;
  deliveryHist: string;
  /** send→`/sync` delivery, the same encoding. */
  syncHist: string;
}

export type FromWorker =
  | { type: 'ready'; fdLimit: number | null }
  | WorkerStats
  | { type: 'stopped' };
