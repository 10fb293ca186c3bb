/** Runs the built `roost` CLI (dist/, built by `npm run build`, which `npm test` does first). */
import { spawn } from 'node:child_process';
import { roostCommand, slowdown } from '../helpers/roost-command.js';

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function roost(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  // No system config file or data folder from the machine leaks into a test.
  const env = { ...process.env, ROOST_CONFIG: '', ROOST_DATA: '', ...options.env };
  const run = roostCommand(args);
  const proc = spawn(run.command, run.args, { cwd: run.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdin.end(options.input ?? '');
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), (options.timeoutMs ?? 20_000) * slowdown);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
