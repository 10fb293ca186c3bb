import type { Command } from 'commander';
import { createBot, listBots, resetBotToken } from '../store/admin/bots.js';
import { cliActor } from '../store/history/audit.js';
import { withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, table } from './io.js';

/** `roost bot …`: accounts for programs. A bot signs in with its token only (it has no password). */
export function botCommands(program: Command): void {
  const bot = program.command('bot').description('bot accounts: programs that use Roost like a person, with a token');

  withDataOptions(bot.command('create <name>'))
    .description('make a bot account; prints its token last (shown once: only its hash is kept)')
    .action(async (name: string, opts: DataFlags) => {
      const made = await withDb(opts, (db) => createBot(db, name, cliActor()));
      out(`created bot ${made.bot.name} (id ${made.bot.id}); invite it to rooms or \`roost room add ROOM ${made.bot.name}\``);
      out(made.token);
    });

  withDataOptions(bot.command('list'))
    .description('list bot accounts (hooks\' and webhooks\' bots too)')
    .action(async (opts: DataFlags) => {
      const rows = await withDb(opts, (db) => listBots(db));
      table(rows.map((b) => ({
        id: b.id, name: b.name, shown: b.displayName, state: b.disabled !== 0 ? 'disabled' : 'enabled', tokens: b.tokens, created: new Date(b.createdAt).toISOString(),
      })), ['id', 'name', 'shown', 'state', 'tokens', 'created']);
    });

  withDataOptions(bot.command('token-reset <name>'))
    .description('revoke the bot\'s token (its connections close) and print a new one last')
    .action(async (name: string, opts: DataFlags) => {
      const token = await withDb(opts, (db) => resetBotToken(db, name, cliActor()));
      out(`new token for bot ${name}; the old one no longer works`);
      out(token);
    });
}
