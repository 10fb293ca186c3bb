import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CheckResult } from '../ops/doctor/types.js';
import { configFrom, withDataOptions, type DataFlags } from './data-options.js';
import { requestExitCode } from './exit-code.js';
import { out } from './io.js';

/** The data folder, or its nearest existing parent, with symlinks resolved (what the mount table knows). */
function existingPath(path: string): string {
  let p = resolve(path);
  for (let i = 0; i < 64 && !existsSync(p); i++) p = dirname(p);
  return realpathSync(p);
}

const MARK: Readonly<Record<CheckResult['status'], string>> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export function printChecks(results: readonly CheckResult[]): void {
  const width = Math.max(...results.map((r) => r.title.length));
  for (const r of results) {
    out(`${MARK[r.status]}  ${r.title.padEnd(width)}  ${r.detail}`);
    if (r.fix !== undefined) out(`${' '.repeat(6 + width + 2)}fix: ${r.fix}`);
  }
  const count = (s: CheckResult['status']): number => results.filter((r) => r.status === s).length;
  out(`\n${count('ok')} ok, ${count('warn')} warnings, ${count('fail')} failures`);
}

/** `roost doctor`: is this machine fit to run Roost, and what to change. */
export function doctorCommands(program: Command): void {
  withDataOptions(program.command('doctor'))
    .description('check this machine for Roost: board, OS, Node, native modules, storage, limits, clock, power, network (exit 1 on any failure)')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: DataFlags & { json?: boolean }) => {
      const config = configFrom(opts);
      // The checks (and the native modules they load) load only when the doctor runs.
      const { hostInputs, runDoctor } = await import('../ops/doctor/run-doctor.js');
      const results = await runDoctor(hostInputs(config, existingPath(config.dataDir)));
      if (opts.json) out(JSON.stringify({ checks: results }, null, 2));
      else printChecks(results);
      if (results.some((r) => r.status === 'fail')) requestExitCode(1);
    });
}
