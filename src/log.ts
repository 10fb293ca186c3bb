import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

export interface LogOptions {
  level: string;
  /** Human-readable lines; defaults to on when stderr is a terminal. */
  pretty?: boolean;
}

/**
 * pino JSON lines on stderr (journald under systemd), human-readable on a TTY
 * or with --pretty. Tokens, passwords and message bodies are never logged;
 * `redact` is the safety net should one ever reach a log call.
 */
export function createLogger(options: LogOptions): Logger {
  const usePretty = options.pretty ?? process.stderr.isTTY === true;
  const base = {
    level: options.level,
    base: { pid: process.pid },
    redact: { paths: ['token', 'password', 'body', '*.token', '*.password', '*.body', 'authorization'], censor: '[redacted]' },
  };
  if (usePretty) {
    // Loaded only here: a server under systemd logs JSON and need not keep pino-pretty
    // and its dependencies in memory.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    return pino(base, pretty({ destination: 2, colorize: process.stderr.isTTY === true, sync: true }));
  }
  return pino(base, pino.destination({ dest: 2, sync: false }));
}
