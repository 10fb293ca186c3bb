import type { Command } from 'commander';
import { generatePassword, hashPassword } from '../auth/password.js';
import { passwordProblem } from '../auth/password-policy.js';
import { addUser, disableUser, listUsers, setPassword } from '../store/admin/admin.js';
import { withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, readStdinPassword, table, UsageError } from './io.js';

async function chosenPassword(fromStdin: boolean | undefined, userName: string): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = await readStdinPassword();
  const problem = passwordProblem(password, userName);
  if (problem !== undefined) throw new UsageError(problem);
  return { password, generated: false };
}

export function userCommands(program: Command): void {
  const user = program.command('user').description('manage user accounts');

  withDataOptions(user.command('add <name>'))
    .description('add a user (a strong password is generated and printed unless --password-stdin)')
    .option('--admin', 'give the user the admin role')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (name: string, opts: DataFlags & { admin?: boolean; passwordStdin?: boolean }) => {
      const { password, generated } = await chosenPassword(opts.passwordStdin, name);
      const hash = await hashPassword(password);
      const row = await withDb(opts, (db) => addUser(db, name, opts.admin ? 'admin' : 'member', hash));
      out(`added ${row.role} ${row.name} (id ${row.id})`);
      if (generated) out(`password: ${password}`);
    });

  withDataOptions(user.command('list'))
    .description('list users')
    .action(async (opts: DataFlags) => {
      const rows = await withDb(opts, (db) => listUsers(db));
      table(rows.map((r) => ({ id: r.id, name: r.name, role: r.role, status: r.disabled ? 'disabled' : 'active', created: new Date(r.created_at).toISOString() })),
        ['id', 'name', 'role', 'status', 'created']);
    });

  withDataOptions(user.command('passwd <name>'))
    .description('set a user\'s password, read from standard input')
    .requiredOption('--password-stdin', 'read the password from standard input')
    .action(async (name: string, opts: DataFlags) => {
      const { password } = await chosenPassword(true, name);
      const hash = await hashPassword(password);
      await withDb(opts, (db) => setPassword(db, name, hash));
      out(`password changed for ${name}`);
    });

  withDataOptions(user.command('disable <name>'))
    .description('disable a user and revoke every token (their sockets close within a second)')
    .action(async (name: string, opts: DataFlags) => {
      await withDb(opts, (db) => disableUser(db, name));
      out(`disabled ${name}; tokens revoked`);
    });
}
