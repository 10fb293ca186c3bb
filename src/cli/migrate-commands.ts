import type { Command } from 'commander';
import { backupIfMigrationPending, schemaState } from '../ops/upgrade.js';
import { SchemaTooNewError } from '../store/db/migrations.js';
import { closeWritable, openWritable } from '../store/db/database.js';
import { configWithDatabase, withDataOptions, type DataFlags } from './data-options.js';
import { requestExitCode } from './exit-code.js';
import { out } from './io.js';

/** `roost migrate --check` exits with this when the database needs migrating (1 stays "error"). */
export const EXIT_MIGRATION_PENDING = 3;

/** `roost migrate [--check]`: whether the schema is current, and bringing it up to date with a backup first. */
export function migrateCommands(program: Command): void {
  withDataOptions(program.command('migrate'))
    .description('bring the database schema up to date (a backup is taken first); --check only tells')
    .option('--check', `exit 0 if the schema is current, ${EXIT_MIGRATION_PENDING} if a migration is pending, 1 if the database is newer than this Roost`)
    .action(async (opts: DataFlags & { check?: boolean }) => {
      const config = configWithDatabase(opts);
      const state = schemaState(config.dataDir);
      if (state.found > state.current) throw new SchemaTooNewError(state.found);
      if (state.pending.length === 0) {
        out(`schema version ${state.found}: up to date`);
        return;
      }
      out(`schema version ${state.found}; this Roost is at ${state.current}: migration${state.pending.length > 1 ? 's' : ''} ${state.pending.join(', ')} pending`);
      if (opts.check) {
        requestExitCode(EXIT_MIGRATION_PENDING);
        return;
      }
      const backup = await backupIfMigrationPending(config.dataDir);
      if (backup !== undefined) out(`backup: ${backup}`);
      closeWritable(openWritable(config.dataDir, config.synchronous));
      out(`migrated to schema version ${schemaState(config.dataDir).found}`);
    });
}
