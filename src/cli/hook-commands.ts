import type { Command } from 'commander';
import { addWebhook, createHook, listHooks, listWebhooks, removeWebhook, revokeHook } from '../store/admin/hooks.js';
import { cliActor } from '../store/history/audit.js';
import { configWithDatabase, withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, table, UsageError } from './io.js';

function hookId(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) throw new UsageError(`a hook id is a number as \`roost hook list\` shows it, not "${text}"`);
  return Number(text);
}

const when = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** `roost hook …` (incoming hooks) and `roost webhook …` (outgoing webhooks). */
export function hookCommands(program: Command): void {
  const hook = program.command('hook').description('incoming hooks: URLs that post into a room (Slack-shaped JSON or plain text)');

  withDataOptions(hook.command('create <room>'))
    .description('make a hook posting into ROOM as its own bot; prints its URL last (shown once: only its hash is kept)')
    .option('--name <name>', 'the name its messages show', 'hook')
    .option('--avatar <file>', 'a PNG, JPEG, GIF or WebP picture its messages show')
    .action(async (room: string, opts: DataFlags & { name: string; avatar?: string }) => {
      const config = configWithDatabase(opts);
      // The image probe and mDNS load only for the commands that use them.
      const avatar = opts.avatar === undefined ? null : await (await import('./avatar-file.js')).avatarFromFile(config.dataDir, opts.avatar, config.avatarMaxBytes);
      const made = await withDb(opts, (db) => ({
        ...createHook(db, { room, name: opts.name, avatar, createdBy: cliActor().name }, cliActor()), port: config.port, tls: config.tlsCert !== '',
      }));
      out(`created hook ${made.hook.id} in ${made.hook.roomName}: posts as ${made.hook.botName} ("${made.hook.name}")`);
      const { localHostName } = await import('../ops/mdns.js');
      out(`${made.tls ? 'https' : 'http'}://${localHostName()}:${made.port}/api/v1/hooks/${made.token}`);
    });

  withDataOptions(hook.command('list'))
    .description('list incoming hooks (never their tokens)')
    .option('--room <room>', 'only this room\'s')
    .action(async (opts: DataFlags & { room?: string }) => {
      const rows = await withDb(opts, (db) => listHooks(db, opts.room));
      table(rows.map((h) => ({
        id: h.id, room: h.roomName, name: h.name, bot: h.botName, state: h.revokedAt === null ? 'live' : 'revoked', created: when(h.createdAt), by: h.createdBy,
      })), ['id', 'room', 'name', 'bot', 'state', 'created', 'by']);
    });

  withDataOptions(hook.command('revoke <id>'))
    .description('revoke a hook: its URL answers 404 from now on (its past messages stay)')
    .action(async (id: string, opts: DataFlags) => {
      const changed = await withDb(opts, (db) => revokeHook(db, hookId(id), cliActor()));
      out(changed ? `revoked hook ${id}` : `hook ${id} was already revoked`);
    });

  const webhook = program.command('webhook').description('outgoing webhooks: a room\'s messages POSTed, signed, to a URL on the LAN');

  withDataOptions(webhook.command('add <room> <url>'))
    .description('send ROOM\'s messages to URL; prints the signing secret last (shown once)')
    .option('--trigger <trigger>', 'any, mention (of its bot) or !word', 'any')
    .option('--name <name>', 'the name its answers show', 'webhook')
    .action(async (room: string, url: string, opts: DataFlags & { trigger: string; name: string }) => {
      const config = configWithDatabase(opts);
      try {
        const { checkTarget } = await import('../gateway/lan-target.js');
        await checkTarget(url, config.webhookAllowRemote);
      } catch (err) {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }
      const made = await withDb(opts, (db) => addWebhook(db, { room, url, trigger: opts.trigger, name: opts.name, createdBy: cliActor().name }, cliActor()));
      out(`added webhook ${made.webhook.id} in ${made.webhook.roomName}: ${made.webhook.trigger} → ${made.webhook.url}, answers as ${made.webhook.botName}`);
      out(made.secret);
    });

  withDataOptions(webhook.command('list'))
    .description('list outgoing webhooks (never their secrets)')
    .option('--room <room>', 'only this room\'s')
    .action(async (opts: DataFlags & { room?: string }) => {
      const rows = await withDb(opts, (db) => listWebhooks(db, opts.room));
      table(rows.map((w) => ({ id: w.id, room: w.roomName, trigger: w.trigger, url: w.url, bot: w.botName, created: when(w.createdAt) })),
        ['id', 'room', 'trigger', 'url', 'bot', 'created']);
    });

  withDataOptions(webhook.command('remove <id>'))
    .description('stop an outgoing webhook')
    .action(async (id: string, opts: DataFlags) => {
      await withDb(opts, (db) => removeWebhook(db, hookId(id), cliActor()));
      out(`removed webhook ${id}`);
    });
}
