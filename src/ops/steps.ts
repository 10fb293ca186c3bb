import { spawnSync } from 'node:child_process';

/** One thing an installer does, described before it is done so --dry-run can print it. */
export interface Step {
  title: string;
  /** Absent when the step only informs (e.g. why something is skipped). */
  run?: () => void | Promise<void>;
}

export interface CommandResult { status: number; stdout: string; stderr: string }
export type CommandRunner = (cmd: string, args: readonly string[]) => CommandResult;

/** Runs a program without a shell (arguments are never re-parsed), capturing its output. */
export const runCommand: CommandRunner = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error !== undefined) return { status: 127, stdout: '', stderr: r.error.message };
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
};

/** A step that runs a command and fails with its stderr when the command fails. */
export function commandStep(runner: CommandRunner, cmd: string, args: readonly string[], title?: string): Step {
  return {
    title: title ?? `run: ${[cmd, ...args].join(' ')}`,
    run: () => {
      const r = runner(cmd, args);
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
    },
  };
}

/** Prints and (unless dry) performs each step in order; stops at the first failure. */
export async function performSteps(steps: readonly Step[], dryRun: boolean, print: (line: string) => void): Promise<void> {
  const width = String(steps.length).length;
  for (const [i, step] of steps.entries()) {
    const n = `[${String(i + 1).padStart(width)}/${steps.length}]`;
    if (step.run === undefined) {
      print(`${n} ${step.title}`);
      continue;
    }
    print(`${n} ${dryRun ? 'would ' : ''}${step.title}`);
    if (!dryRun) await step.run();
  }
}
