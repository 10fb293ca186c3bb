import type { Command } from 'commander';
import { listTokens, revokeAllTokens } from '../store/admin/token-admin.js';
import { withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, table } from './io.js';

const when = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

/** `roost user tokens NAME` and `roost user logout-all NAME`, added to the `user` command group. */
export function tokenCommands(program: Command): void {
  const user = program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('manage user accounts');

  withDataOptions(user.command('tokens <name>'))
    .description('list a user\'s sign-ins: created, last used, from which address, expiry')
    .option('--all', 'include revoked and expired tokens')
    .action(async (name: string, opts: DataFlags & { all?: boolean }) => {
      const now = Date.now();
      const rows = await withDb(opts, (db) => listTokens(db, name, now, opts.all === true));
      if (rows.length === 0) return out(`${name} has no ${opts.all ? '' : 'live '}tokens`);
      table(rows.map((r) => ({
        id: r.id,
        created: when(r.createdAt),
        'last used': when(r.lastUsedAt ?? r.createdAt),
        'login ip': r.loginIp,
        'last ip': r.lastIp || r.loginIp,
        expires: when(r.expiresAt),
        status: r.revokedAt !== null ? 'revoked' : r.expiresAt <= now ? 'expired' : 'live',
      })), ['id', 'created', 'last used', 'login ip', 'last ip', 'expires', 'status']);
    });

  withDataOptions(user.command('logout-all <name>'))
    .description('revoke every token of a user; their open sockets close within a second')
    .action(async (name: string, opts: DataFlags) => {
      const n = await withDb(opts, (db) => revokeAllTokens(db, name, Date.now()));
      out(`revoked ${n} token${n === 1 ? '' : 's'} of ${name}`);
    });
}
