import type { Command } from 'commander';
import { withDataOptions, type DataFlags } from './data-options.js';
import { addSettingFlags } from './setting-flags.js';

export interface ServeFlags extends DataFlags { host?: string; port?: string; pretty?: boolean; logLevel?: string; tlsCert?: string; tlsKey?: string }

// The server and everything it needs load only when `roost serve` runs: every other
// command (and --help) starts without them.
export function serveCommand(program: Command): void {
  const serve = withDataOptions(program.command('serve'))
    .description('run the chat server')
    .option('--host <address>', 'address to listen on (env ROOST_HOST; default 0.0.0.0)')
    .option('--port <n>', 'port to listen on (env ROOST_PORT; default 8080)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (env ROOST_LOG_LEVEL)')
    .option('--pretty', 'human-readable logs (the default on a terminal)')
    .option('--tls-cert <file>', 'serve HTTPS/WSS with this PEM certificate (env ROOST_TLS_CERT; see roost cert create)')
    .option('--tls-key <file>', 'the certificate\'s PEM private key (env ROOST_TLS_KEY)');
  // Every other setting gets a flag generated from the schema (--max-frame-bytes, --no-mdns, ...).
  addSettingFlags(serve)
    .action(async (opts: ServeFlags) => {
      const { runServe } = await import('./serve-run.js');
      await runServe(opts);
    });
}
