/**
 * How tests run the `roost` CLI as a process: this Node on this tree's
 * bin/roost.js, or another build named by ROOST_TEST_COMMAND (a JSON array:
 * program and leading arguments). CI's ARM legs set it to an arm64 or armv7
 * Node under qemu-user on that platform's tree, so the same tests prove the
 * server there while they, and the clients they drive, run here.
 */
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function configured(): string[] | undefined {
  const raw = process.env.ROOST_TEST_COMMAND;
  if (raw === undefined || raw === '') return undefined;
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string')) {
    throw new Error('ROOST_TEST_COMMAND must be a JSON array of strings, e.g. ["qemu-aarch64","-L","/","/opt/node/bin/node","/opt/roost/bin/roost.js"]');
  }
  return parsed as string[];
}

const prefix = configured();

/** True when tests run another build (emulated: correctness only, never speed). */
export const otherBuild = prefix !== undefined;

/**
 * How much longer than here a start or command may take: an emulated CPU
 * runs Node many times slower (ROOST_TEST_SLOWDOWN, default 1).
 */
export const slowdown = Math.max(1, Number(process.env.ROOST_TEST_SLOWDOWN ?? '1') || 1);

/** The program and arguments that run `roost ...args`, and the folder to run it in. */
export function roostCommand(args: readonly string[]): { command: string; args: string[]; cwd: string } {
  const [command = process.execPath, ...lead] = prefix ?? [process.execPath, 'bin/roost.js'];
  return { command, args: [...lead, ...args], cwd: ROOT };
}
