import { resolve } from 'node:path';
import { generatePassword, hashPassword } from '../auth/password.js';
import type { RawValue } from '../config/load.js';
import { SETTINGS, type Config, type SettingName } from '../config/schema.js';
import { startServer } from '../gateway/server.js';
import { loadUws } from '../gateway/uws.js';
import { createLogger, type Logger } from '../log.js';
import { addUser, countUsers } from '../store/admin/admin.js';
import { openWritable } from '../store/db/database.js';
import { advertise, type Advertisement } from '../ops/mdns.js';
import { packageVersion } from '../ops/package-root.js';
import { backupIfMigrationPending } from '../ops/upgrade.js';
import { configFrom } from './data-options.js';
import { warnAboutPermissions } from './permission-warnings.js';
import { out } from './io.js';
import { settingFlagValues } from './setting-flags.js';
import type { ServeFlags } from './serve-command.js';

/** SIGTERM must end within 10 s even if a drain hangs. */
const SHUTDOWN_DEADLINE_MS = 9_000;

/** `roost serve`: runs the chat server until SIGTERM/SIGINT. */
export async function runServe(opts: ServeFlags): Promise<void> {
  const flags: Partial<Record<SettingName, RawValue>> = settingFlagValues(opts);
  if (opts.host !== undefined) flags.host = opts.host;
  if (opts.port !== undefined) flags.port = opts.port;
  if (opts.logLevel !== undefined) flags.logLevel = opts.logLevel;
  if (opts.tlsCert !== undefined) flags.tlsCert = opts.tlsCert;
  if (opts.tlsKey !== undefined) flags.tlsKey = opts.tlsKey;
  const config = configFrom(opts, flags);
  // A machine that cannot load the WebSocket binary gets its one line before anything is
  // written: no data folder, no first admin whose password would be shown for nothing.
  loadUws();
  const log = createLogger({ level: config.logLevel, pretty: opts.pretty ? true : undefined });
  if (process.getuid?.() === 0) {
    process.stderr.write('roost: warning: running as root; run Roost as an unprivileged user (the systemd unit uses User=roost)\n');
    log.warn('running as root');
  }
  for (const warning of warnAboutPermissions(config.dataDir)) log.warn({ dataDir: config.dataDir }, warning);

  // An upgrade migrates on start, after copying the database aside (a newer schema is refused here).
  const backup = await backupIfMigrationPending(config.dataDir);
  if (backup !== undefined) log.info({ backup }, 'database backed up before migrating its schema');

  // A fresh data folder gets its first admin, whose password is shown once.
  const db = openWritable(config.dataDir, config.synchronous);
  try {
    if (countUsers(db) === 0) {
      const password = generatePassword();
      addUser(db, 'admin', 'admin', await hashPassword(password));
      out(`created user "admin" with password: ${password}`);
      // The command prompts at a terminal; it needs --data only when the server was given another folder.
      const dataFlag = resolve(config.dataDir) === resolve(SETTINGS.dataDir.default) ? '' : ` --data ${/\s/.test(config.dataDir) ? JSON.stringify(config.dataDir) : config.dataDir}`;
      out(`(shown once; change it in the web client's profile, or with: roost user passwd admin${dataFlag})`);
    }
  } finally {
    db.close();
  }

  const server = await startServer(config, log);
  let mdns: Advertisement | undefined;
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    void mdns?.stop();
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    void server.close();
  };
  // Before the line saying where it listens: whoever reads that line may stop the server at
  // once, and a SIGTERM that comes before a handler ends the process without its drain.
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // `roost bench` starts its scratch server with --expose-gc and asks for a full GC
  // (SIGUSR2) before reading RSS; without that flag this installs nothing.
  const collect = (globalThis as { gc?: () => void }).gc;
  if (typeof collect === 'function') process.on('SIGUSR2', () => collect());
  out(`roost listening on ${config.tlsCert === '' ? 'http' : 'https'}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${server.port} (data: ${config.dataDir})`);
  mdns = advertiseOnLan(config, server.port, log);
  await server.stopped;
  log.flush();
}

/** mDNS only where LAN clients could reach the server: not on loopback, and not with --no-mdns. */
function advertiseOnLan(config: Config, port: number, log: Logger): Advertisement | undefined {
  if (!config.mdns) return undefined;
  if (/^(127\.|::1$|localhost$)/.test(config.host)) {
    log.info({ host: config.host }, 'not advertising over mDNS: listening on loopback only');
    return undefined;
  }
  const ad = advertise({
    port,
    tls: config.tlsCert !== '',
    version: packageVersion(),
    onError: (err) => log.warn({ err: err.message }, 'mDNS advertising failed; clients must be given the address'),
  });
  log.info({ name: ad.name, host: ad.host, port }, 'advertising _roost._tcp and _http._tcp over mDNS');
  return ad;
}
