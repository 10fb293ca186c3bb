/**
 * A command that finished its work but must still report failure (doctor with
 * a failed check, migrate --check with a pending migration) records its exit
 * code here; main() returns it. Kept out of process.exitCode so main() stays
 * callable more than once in one process (tests).
 */
let requested = 0;

export function requestExitCode(code: number): void {
  requested = Math.max(requested, code);
}

/** The recorded code, reset for the next run. */
export function takeExitCode(): number {
  const code = requested;
  requested = 0;
  return code;
}
