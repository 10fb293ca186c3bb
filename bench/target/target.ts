/** What a scenario runs against: a Roost server or a baseline, with its connections laid out. */
import type { ConnSpec } from '../worker/protocol.js';

export interface Target {
  /** "roost (scratch)", "roost http://…", "bare uWS", "bare ws". */
  name: string;
  wsUrl: string;
  httpBase: string;
  /** Server process id when it runs on this box (for /proc), else null. */
  pid: number | null;
  adminToken?: string;
  conns: ConnSpec[];
  /** Bench users' names and their shared password, for HTTP logins (baselines have none). */
  logins?: { users: string[]; password: string };
  roomSize: number;
  /** Connections the server process can hold (open-file limit minus what it already uses), null if unknown. */
  serverFdCap: number | null;
  /**
   * Asks the server for a full garbage collection before RSS is read, so bytes per
   * connection are not garbage. Only servers the bench started (with --expose-gc) have it:
   * a live server would take SIGUSR2 as a signal to exit.
   */
  collectGarbage?: () => Promise<void>;
  /** Messages stored by the server in the bench rooms (durability check), null if not checkable. */
  storedMessages(): number | null;
  /** Ends the server if we started it, removes what we created. Safe to call twice. */
  close(): Promise<void>;
}
