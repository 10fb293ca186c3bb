import type { Command } from 'commander';
import { RoostError } from '../protocol/errors.js';
import { recordAudit, cliActor, listAudit, verifyAuditChain } from '../store/history/audit.js';
import { findRoom } from '../store/admin/admin.js';
import { openReadOnly } from '../store/db/database.js';
import type { ExportRequest } from '../store/history/export.js';
import type { ExportFormat } from '../store/history/export-format.js';
import type { FilesCopy } from '../store/backup/file-backup.js';
import { describeDays, parseKeep, retentionPolicies, setHold, setRetention } from '../store/history/retention.js';
import { join } from 'node:path';
import { configFrom, configWithDatabase, withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, table, UsageError } from './io.js';

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

/** What a backup wrote beside the .db: everything written is named (0600 files, 0700 folders). */
function filesLine(files: FilesCopy | undefined): string {
  if (files === undefined || files.named === 0) return 'uploaded files: none named by this backup';
  const missing = files.missing > 0 ? `; ${files.missing} missing from the data folder` : '';
  return `uploaded files: ${files.copied} new (${files.bytes} bytes) copied to ${files.dir} (${files.named} named by this backup)${missing}`;
}

/** roost retention, hold, verify, export, audit, backup, restore: history people can rely on. */
export function historyCommands(program: Command): void {
  const retention = program.command('retention').description('how long messages are kept');
  withDataOptions(retention.command('set <days>'))
    .description('keep messages DAYS days, or "forever"; with --room, for one room ("default" drops its override)')
    .option('--room <room>', 'room name or id, or id:N (default: every room without its own setting)')
    .action(async (days: string, opts: DataFlags & { room?: string }) => {
      const now = await withDb(opts, (db) => setRetention(db, opts.room, parseKeep(days)));
      out(`retention for ${opts.room ?? 'the default'}: ${now}`);
    });
  withDataOptions(retention.command('show'))
    .description('the default and each room\'s retention, legal hold and purge horizon')
    .action(async (opts: DataFlags) => {
      const view = await withDb(opts, (db) => retentionPolicies(db));
      out(`default: ${describeDays(view.defaultDays)}`);
      table(view.rooms.map((r) => ({
        id: r.room, name: r.name, keep: r.ownDays === null ? `${describeDays(r.days)} (default)` : describeDays(r.days),
        hold: r.hold ? 'HOLD' : '', horizon: r.horizon, purged: r.purged,
      })), ['id', 'name', 'keep', 'hold', 'horizon', 'purged']);
    });

  const hold = program.command('hold').description('legal hold: suspends purging a room');
  for (const [verb, on] of [['set', true], ['clear', false]] as const) {
    withDataOptions(hold.command(`${verb} <room>`))
      .description(on ? 'put a room on legal hold (nothing in it is purged)' : 'lift a room\'s legal hold')
      .action(async (room: string, opts: DataFlags) => {
        const changed = await withDb(opts, (db) => setHold(db, room, on));
        out(`${room}: legal hold ${on ? 'on' : 'off'}${changed ? '' : ' (unchanged)'}`);
      });
  }

  withDataOptions(program.command('verify'))
    .description('recompute the hash chains of messages and of the audit log; report the first altered, inserted or removed row')
    .option('--room <room>', 'only this room')
    .option('--json', 'machine-readable output')
    .action(async (opts: DataFlags & { room?: string; json?: boolean }) => {
      // Backup, restore, export and verify code loads only for the command that runs.
      const { verifyChains } = await import('../store/history/verify.js');
      const report = await withDb(opts, (db) => {
        const roomId = opts.room === undefined ? undefined : findRoom(db, opts.room).id;
        const chains = verifyChains(db, roomId);
        const audit = verifyAuditChain(db);
        recordAudit(db, cliActor(), 'verify', {
          room: opts.room ?? 'all', ok: chains.ok && audit.ok, rooms: chains.rooms.length,
          heads: chains.rooms.map((r) => `${r.room}:${r.lastSeq}:${r.head}`),
          problem: chains.rooms.find((r) => !r.ok)?.problem?.detail ?? audit.firstBad?.problem ?? null,
        });
        return { chains, audit };
      });
      if (opts.json) out(JSON.stringify(report, null, 2));
      else {
        for (const r of report.chains.rooms) {
          const range = r.messages === 0 ? 'no messages' : `seq ${r.horizon}..${r.lastSeq}`;
          out(r.ok ? `ok      room ${r.room} ${r.name}: ${r.messages} messages (${range}), head ${r.head}`
            : `BROKEN  room ${r.room} ${r.name}: ${r.problem?.kind} at seq ${r.problem?.seq}: ${r.problem?.detail}`);
        }
        out(report.audit.ok ? `ok      audit log: ${report.audit.entries} entries, head ${report.audit.head}`
          : `BROKEN  audit log: entry ${report.audit.firstBad?.id}: ${report.audit.firstBad?.problem}`);
      }
      if (!report.chains.ok || !report.audit.ok) throw new RoostError('conflict', 'verification failed: the history was changed outside Roost (see above)');
    });

  withDataOptions(program.command('export'))
    .description('compliance export of a room: each message as seen now (edited, deleted, its files with their SHA-256), sender names, UTC times and membership, plus a manifest')
    .requiredOption('--room <room>', 'room name or id, or id:N (a name that is another room\'s id is refused)')
    .option('--from <date>', 'first day or instant included (YYYY-MM-DD or ISO 8601, UTC)')
    .option('--to <date>', 'last day included (YYYY-MM-DD), or the instant the export stops before')
    .option('--format <format>', 'jsonl, csv or html', 'jsonl')
    .option('--out <file>', 'write here (and FILE.manifest.json); default: standard output, manifest on standard error')
    .action(async (opts: DataFlags & { room: string; from?: string; to?: string; format: string; out?: string }) => {
      if (!['jsonl', 'csv', 'html'].includes(opts.format)) throw new UsageError(`--format must be jsonl, csv or html (got "${opts.format}")`);
      const { parseDate, runExport, manifestPath } = await import('../store/history/export.js');
      const req: ExportRequest = {
        room: opts.room, format: opts.format as ExportFormat,
        from: opts.from === undefined ? undefined : parseDate(opts.from, false),
        to: opts.to === undefined ? undefined : parseDate(opts.to, true),
      };
      const config = configWithDatabase(opts);
      if (opts.out === undefined) {
        const manifest = await runExport(config.dataDir, req, { stream: process.stdout });
        process.stderr.write(`${JSON.stringify(manifest, null, 2)}\n`);
        return;
      }
      const m = await runExport(config.dataDir, req, { file: opts.out });
      out(`exported ${m.count} messages of ${m.room.name} (seq ${m.firstSeq ?? '-'}..${m.lastSeq ?? '-'}) to ${m.file}`);
      out(`sha256 ${m.sha256}; manifest ${manifestPath(m.file)}`);
    });

  withDataOptions(program.command('audit'))
    .description('the audit log of admin actions')
    .option('--since <date>', 'only entries from this day or instant (UTC)')
    .option('--json', 'one JSON object per line')
    .action(async (opts: DataFlags & { since?: string; json?: boolean }) => {
      const { parseDate } = await import('../store/history/export.js');
      const since = opts.since === undefined ? undefined : parseDate(opts.since, false);
      const config = configWithDatabase(opts);
      const db = openReadOnly(config.dataDir);
      try {
        const entries = listAudit(db, since);
        if (opts.json) for (const e of entries) out(JSON.stringify({ ...e, ts: iso(e.ts) }));
        else {
          table(entries.map((e) => ({
            id: e.id, time: iso(e.ts), actor: `${e.actor}:${e.actorName}${e.osUser !== e.actorName ? ` (os ${e.osUser})` : ''}`,
            action: e.action, details: JSON.stringify(e.details),
          })), ['id', 'time', 'actor', 'action', 'details']);
        }
      } finally {
        db.close();
      }
    });

  withDataOptions(program.command('backup'))
    .description('a consistent copy of the database while the server keeps serving, checked with integrity_check')
    .option('--out <file>', 'where to write it (default: <data>/backups/roost-<time>.db)')
    .action(async (opts: DataFlags & { out?: string }) => {
      const config = configWithDatabase(opts);
      const { backupDatabase, backupFileName, defaultBackupDir, ensureBackupDir } = await import('../store/backup/backup.js');
      const file = opts.out ?? join(ensureBackupDir(defaultBackupDir(config.dataDir)), backupFileName());
      let result;
      try {
        result = await backupDatabase(config.dataDir, file);
      } catch (err) {
        await withDb(opts, (db) => recordAudit(db, cliActor(), 'backup.failed', { file, reason: (err as Error).message }));
        throw err;
      }
      await withDb(opts, (db) => recordAudit(db, cliActor(), 'backup', { file: result.file, bytes: result.bytes, messages: result.messages }));
      out(`backup written to ${result.file}: ${result.bytes} bytes, ${result.messages} messages, ${result.rooms} rooms, ${result.users} users; integrity ${result.integrity}; ${Math.round(result.ms)} ms`);
      out(filesLine(result.files));
    });

  withDataOptions(program.command('restore <file>'))
    .description('replace the data folder\'s database with a backup (the server must be stopped; the old one is kept aside)')
    .action(async (file: string, opts: DataFlags) => {
      const config = configFrom(opts);
      const { restoreDatabase } = await import('../store/backup/restore.js');
      const r = restoreDatabase(file, config.dataDir);
      out(`restored ${r.from} into ${r.into}`);
      out(`  ${r.users} users, ${r.rooms} rooms, ${r.messages} messages; newest message ${iso(r.newest)}; schema ${r.schemaVersion}${r.schemaNow !== r.schemaVersion ? ` (brought up to ${r.schemaNow})` : ''}; integrity ${r.integrity}`);
      out(r.keptAside === null ? '  (the folder had no database before)' : `  the replaced database is kept at ${r.keptAside}`);
    });
}
