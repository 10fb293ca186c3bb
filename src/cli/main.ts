import { Command, CommanderError } from 'commander';
import { RoostError } from '../protocol/errors.js';
import { SchemaTooNewError } from '../store/db/migrations.js';
import { ListenError } from '../gateway/listen.js';
import { UwsLoadError } from '../gateway/uws.js';
import { certCommands } from './cert-command.js';
import { tokenCommands } from './token-commands.js';
import { configCommands } from './config-commands.js';
import { discoverCommands } from './discover-commands.js';
import { doctorCommands } from './doctor-commands.js';
import { takeExitCode } from './exit-code.js';
import { UsageError } from './io.js';
import { migrateCommands } from './migrate-commands.js';
import { serviceCommands } from './service-commands.js';
import { statsCommands } from './stats-commands.js';
import { roomCommands } from './room-commands.js';
import { serveCommand } from './serve-command.js';
import { userCommands } from './user-commands.js';
import { benchCommand } from './bench-command.js';
import { historyCommands } from './history-commands.js';
import { inviteCommands } from './invite-commands.js';
import { hookCommands } from './hook-commands.js';
import { botCommands } from './bot-commands.js';
import { assistantCommands } from './assistant-commands.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('roost')
    .description('Roost: a private chat server whose history is never lost')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  serveCommand(program);
  userCommands(program);
  roomCommands(program);
  inviteCommands(program);
  hookCommands(program);
  botCommands(program);
  assistantCommands(program);
  historyCommands(program);
  serviceCommands(program);
  configCommands(program);
  doctorCommands(program);
  statsCommands(program);
  discoverCommands(program);
  migrateCommands(program);
  certCommands(program);
  tokenCommands(program);
  benchCommand(program);
  // Subcommands inherit exitOverride so usage errors come back here as exit code 2.
  const inherit = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride();
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 failed, 2 usage). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    takeExitCode();
    await buildProgram().parseAsync([...argv]);
    // A command that ran to the end may still report a failure (doctor, migrate --check).
    return takeExitCode();
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`roost: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof RoostError || err instanceof SchemaTooNewError || err instanceof UwsLoadError || err instanceof ListenError) {
      process.stderr.write(`roost: ${err.message}\n`);
      return EXIT_FAILED;
    }
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`roost: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    return EXIT_FAILED;
  }
}
