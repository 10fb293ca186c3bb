/** What CLI commands print; kept apart so commands stay free of formatting detail. */

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function table(rows: ReadonlyArray<Record<string, string | number>>, columns: readonly string[]): void {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  out(line(columns.map((c) => c.toUpperCase())));
  for (const r of rows) out(line(columns.map((c) => String(r[c] ?? ''))));
}

/** Reads a password piped on stdin (first line, without its newline). */
export async function readStdinPassword(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin expects the password piped on standard input');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A flag's whole number from `min` to `max`, written as digits ("0x10", "1e2" and " 5 " are not numbers people type for a count). */
export function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}
