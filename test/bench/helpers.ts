import { readdirSync, readFileSync } from 'node:fs';

/**
 * Live child processes of this process (load generators, servers). The test
 * runner's TypeScript loader keeps one esbuild service process for the life
 * of the test process: it is the runner's, not the code's under test.
 */
export function childPids(): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z' && name !== 'esbuild') out.push(Number(p));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

export const quiet = (): void => {};
