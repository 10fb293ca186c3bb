import type { Command } from 'commander';
import { createInviteLink, listInviteLinks, revokeInviteLink } from '../store/admin/invite-links.js';
import { cliActor } from '../store/history/audit.js';
import { withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, table, UsageError, wholeNumber } from './io.js';

/** "7d", "12h" or a bare number of hours. */
export function hoursOf(text: string): number {
  const m = /^(\d{1,5})([dh]?)$/.exec(text.trim());
  if (m === null) throw new UsageError(`--expires takes a duration like 7d or 12h, not "${text}"`);
  return Number(m[1]) * (m[2] === 'd' ? 24 : 1);
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function inviteCommands(program: Command): void {
  const invite = program.command('invite').description('invitation links: people make their own account and join rooms');

  withDataOptions(invite.command('create'))
    .description('make an invitation link (shown once: only its hash is kept)')
    .option('--expires <duration>', 'how long the link works: 7d, 12h', '7d')
    .option('--uses <n>', 'how many accounts it can make', '1')
    .option('--room <room>', 'a group room (name or id) the new account joins; repeat for more', collect, [])
    .option('--note <text>', 'a note for the list: whom the link is for', '')
    .action(async (opts: DataFlags & { expires: string; uses: string; room: string[]; note: string }) => {
      const spec = { createdBy: 0, expiresInHours: hoursOf(opts.expires), maxUses: wholeNumber(opts.uses.trim(), '--uses', 0, 999_999), rooms: opts.room, note: opts.note };
      const { token, link, port, tls } = await withDb(opts, (db, config) => ({
        ...createInviteLink(db, spec, cliActor()), port: config.port, tls: config.tlsCert !== '',
      }));
      out(`created link ${link.id}: ${link.maxUses} use(s), expires ${new Date(link.expiresAt).toISOString()}`);
      const { localHostName } = await import('../ops/mdns.js');
      out(`url: ${tls ? 'https' : 'http'}://${localHostName()}:${port}/join/${token}`);
    });

  withDataOptions(invite.command('list'))
    .description('list invitation links (never their tokens)')
    .action(async (opts: DataFlags) => {
      const rows = await withDb(opts, (db) => listInviteLinks(db));
      table(rows.map((l) => ({
        id: l.id, state: l.state, uses: `${l.uses}/${l.maxUses}`, expires: new Date(l.expiresAt).toISOString(), rooms: l.rooms.join(','), note: l.note,
      })), ['id', 'state', 'uses', 'expires', 'rooms', 'note']);
    });

  withDataOptions(invite.command('revoke <id>'))
    .description('revoke an invitation link by the id `invite list` shows')
    .action(async (id: string, opts: DataFlags) => {
      const changed = await withDb(opts, (db) => revokeInviteLink(db, id, cliActor()));
      out(changed ? `revoked link ${id}` : `link ${id} was already revoked`);
    });
}
