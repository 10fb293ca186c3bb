import type { Command } from 'commander';
import { cleanDisplayName } from '../auth/display-name.js';
import { generatePassword, hashPassword } from '../auth/password.js';
import { passwordProblem } from '../auth/password-policy.js';
import { addUser, disableUser, listUsers, profileOf, setDisplayName, setPassword, validateUserName } from '../store/admin/admin.js';
import { enableUser, setUserRole } from '../store/admin/user-admin.js';
import { withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, readStdinPassword, table, UsageError } from './io.js';
import { promptNewPassword } from './password-prompt.js';

type PasswordSource = 'generate' | 'stdin' | 'prompt';

function checked(password: string, userName: string): string {
  const problem = passwordProblem(password, userName);
  if (problem !== undefined) throw new UsageError(problem);
  return password;
}

async function chosenPassword(source: PasswordSource, userName: string): Promise<{ password: string; generated: boolean }> {
  if (source === 'generate') return { password: generatePassword(), generated: true };
  if (source === 'stdin') return { password: checked(await readStdinPassword(), userName), generated: false };
  return { password: checked(await promptNewPassword(process.stdin, process.stderr), userName), generated: false };
}

/** User names are short ASCII handles; a name in another script belongs in the display name, and the error says so. */
function handle(name: string): string {
  try {
    return validateUserName(name);
  } catch (err) {
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/.test(name)) throw err;
    throw new UsageError(`"${name}" cannot be a user name: user names are short ASCII handles (1-32 letters, digits, '.', '_' or '-'). `
      + `To show "${name}", give it as the display name: roost user add HANDLE --display-name "${name}"`);
  }
}

function displayName(raw: string): string {
  const cleaned = cleanDisplayName(raw);
  if (!cleaned.ok) throw new UsageError(cleaned.message);
  return cleaned.value;
}

export function userCommands(program: Command): void {
  const user = program.command('user').description('manage user accounts');

  withDataOptions(user.command('add <name>'))
    .description('add a user (a strong password is generated and printed unless --password-stdin)')
    .option('--admin', 'give the user the admin role')
    .option('--password-stdin', 'read the password from standard input')
    .option('--display-name <text>', 'the name shown for the user (any script, up to 64 characters)')
    .action(async (name: string, opts: DataFlags & { admin?: boolean; passwordStdin?: boolean; displayName?: string }) => {
      handle(name);
      const shown = opts.displayName === undefined ? undefined : displayName(opts.displayName);
      const { password, generated } = await chosenPassword(opts.passwordStdin ? 'stdin' : 'generate', name);
      const hash = await hashPassword(password);
      const row = await withDb(opts, (db) => {
        const added = addUser(db, name, opts.admin ? 'admin' : 'member', hash);
        if (shown !== undefined && shown !== '') setDisplayName(db, added.name, shown);
        return added;
      });
      out(`added ${row.role} ${row.name} (id ${row.id})${shown ? ` shown as "${shown}"` : ''}`);
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
    .description('set a user\'s password: typed twice at a terminal (not shown), read from standard input, or generated')
    .option('--password-stdin', 'read the password from standard input')
    .option('--generate', 'generate a strong password and print it once')
    .action(async (name: string, opts: DataFlags & { passwordStdin?: boolean; generate?: boolean }) => {
      if (opts.passwordStdin && opts.generate) throw new UsageError('--password-stdin and --generate exclude each other');
      const source: PasswordSource = opts.generate ? 'generate' : opts.passwordStdin ? 'stdin' : 'prompt';
      if (source === 'prompt' && !process.stdin.isTTY) {
        throw new UsageError('no terminal to type the password at: pipe it with --password-stdin, or use --generate');
      }
      // The account must exist before anyone types a password for it.
      await withDb(opts, (db) => profileOf(db, name));
      const { password, generated } = await chosenPassword(source, name);
      const hash = await hashPassword(password);
      await withDb(opts, (db) => setPassword(db, name, hash));
      out(`password changed for ${name}`);
      if (generated) out(`password: ${password}`);
    });

  withDataOptions(user.command('disable <name>'))
    .description('disable a user and revoke every token (their sockets close within a second)')
    .action(async (name: string, opts: DataFlags) => {
      await withDb(opts, (db) => disableUser(db, name));
      out(`disabled ${name}; tokens revoked`);
    });

  withDataOptions(user.command('enable <name>'))
    .description('let a disabled user sign in again (with a new login: their old tokens stay revoked)')
    .action(async (name: string, opts: DataFlags) => {
      await withDb(opts, (db) => enableUser(db, name));
      out(`enabled ${name}`);
    });

  withDataOptions(user.command('role <name> <role>'))
    .description('set a user\'s server role: admin or member (applies to their next request; the last enabled admin stays one)')
    .action(async (name: string, role: string, opts: DataFlags) => {
      if (role !== 'admin' && role !== 'member') throw new UsageError(`the role must be admin or member, not "${role}"`);
      const row = await withDb(opts, (db) => setUserRole(db, name, role));
      out(`${row.name} is now ${row.role}`);
    });

  withDataOptions(user.command('profile <name>'))
    .description('show a user\'s profile, or set the name shown for them')
    .option('--display-name <text>', 'the name shown (any script, up to 64 characters; "" clears it)')
    .action(async (name: string, opts: DataFlags & { displayName?: string }) => {
      if (opts.displayName !== undefined) {
        const shown = displayName(opts.displayName);
        await withDb(opts, (db) => setDisplayName(db, name, shown));
        out(shown === '' ? `display name of ${name} cleared` : `${name} is shown as "${shown}"`);
        return;
      }
      const p = await withDb(opts, (db) => profileOf(db, name));
      out(`name: ${name}`);
      out(`display name: ${p.displayName === '' ? '(none)' : p.displayName}`);
      out(`avatar: ${p.avatar ?? '(none)'}`);
    });
}
