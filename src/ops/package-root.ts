import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding Roost's package.json. Code runs from src/ (tests), from
 * dist/src/ (tsc's output, the bench) and from dist/bundle/ (installed), each at
 * another depth: walk up until found.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'roost') return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the roost package folder (no package.json named "roost" above this file)');
}

/** The installed Roost's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
