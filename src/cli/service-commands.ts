import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { coerce } from '../config/load.js';
import { SETTINGS } from '../config/schema.js';
import { packageRoot } from '../ops/package-root.js';
import type { ServiceContext } from '../ops/service-plan.js';
import { performSteps, runCommand } from '../ops/steps.js';
import { requestExitCode } from './exit-code.js';
import { configFrom } from './data-options.js';
import { out, UsageError } from './io.js';

interface RootFlags { root?: string; dryRun?: boolean }

function context(flags: RootFlags): ServiceContext {
  const root = resolve(flags.root ?? '/');
  if (root === '/' && !flags.dryRun && process.getuid?.() !== 0) {
    throw new UsageError('installing a system service needs root: run it with sudo (or use --dry-run to see the steps)');
  }
  return { root, systemdRunning: existsSync('/run/systemd/system'), run: runCommand, print: out };
}

/** `roost service install|uninstall|status`: Roost as a systemd service. */
export function serviceCommands(program: Command): void {
  const service = program.command('service').description('install Roost as a systemd service, remove it, or show its state');

  service.command('install')
    .description('create the "roost" user, the data folder, /etc/roost/roost.json and the unit; enable and start it')
    .option('--dry-run', 'print every step and change nothing')
    .option('--root <dir>', 'install into this folder as if it were / (to stage an image); nothing is started')
    .option('--host <address>', 'address the service listens on', SETTINGS.host.default)
    .option('--port <n>', 'port the service listens on', String(SETTINGS.port.default))
    .action(async (opts: RootFlags & { host: string; port: string }) => {
      const ctx = context(opts);
      const port = coerce('port', opts.port, '--port') as number;
      const host = coerce('host', opts.host, '--host') as string;
      const script = join(packageRoot(), 'bin', 'roost.js');
      // The install plan (and the database it seeds) loads only when a service command runs.
      const { installSteps } = await import('../ops/service-plan.js');
      const { shippedUnit } = await import('../ops/unit-file.js');
      if (!isAbsolute(process.execPath)) throw new UsageError(`cannot tell where Node is (${process.execPath})`);
      out(`${opts.dryRun ? 'Dry run: nothing will change. ' : ''}Installing Roost as a systemd service${ctx.root === '/' ? '' : ` under ${ctx.root}`}:`);
      await performSteps(installSteps(ctx, { node: process.execPath, script, host, port, unitTemplate: shippedUnit() }), opts.dryRun === true, out);
      out(opts.dryRun ? 'Dry run complete.' : 'Installed.');
    });

  service.command('uninstall')
    .description('stop and remove the service; the data folder, config and user stay unless --purge')
    .option('--purge', 'also delete the data folder (all messages), the config and the "roost" user')
    .option('--dry-run', 'print every step and change nothing')
    .option('--root <dir>', 'act on this folder as if it were /')
    .action(async (opts: RootFlags & { purge?: boolean }) => {
      const ctx = context(opts);
      const { uninstallSteps } = await import('../ops/service-plan.js');
      await performSteps(uninstallSteps(ctx, { purge: opts.purge === true }), opts.dryRun === true, out);
      out(opts.dryRun ? 'Dry run complete.' : 'Uninstalled.');
    });

  service.command('status')
    .description('what systemd says about the service, and whether it answers /readyz')
    .option('--port <n>', 'port to probe on 127.0.0.1 (default: the configured port)')
    .option('--config <file>', 'config file (default /etc/roost/roost.json when present)')
    .action(async (opts: { port?: string; config?: string }) => {
      const port = opts.port === undefined ? configFrom({ config: opts.config }).port : coerce('port', opts.port, '--port') as number;
      const { INSTALL_PATHS, UNIT_NAME } = await import('../ops/service-plan.js');
      if (!existsSync(INSTALL_PATHS.unit)) out(`not installed (no ${INSTALL_PATHS.unit}); install with: sudo roost service install`);
      if (existsSync('/run/systemd/system')) {
        const r = runCommand('systemctl', ['status', UNIT_NAME, '--no-pager', '--lines=5']);
        out((r.stdout || r.stderr).trimEnd());
      } else {
        out('systemd is not running on this machine (no /run/systemd/system)');
      }
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
        out(`http://127.0.0.1:${port}/readyz: ${res.status} ${(await res.text()).trim()}`);
        if (res.status !== 200) requestExitCode(1);
      } catch (err) {
        out(`http://127.0.0.1:${port}/readyz: no answer (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`);
        requestExitCode(3);
      }
    });
}
