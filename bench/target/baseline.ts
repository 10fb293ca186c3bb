/** The reference servers of --baseline, given the same connection layout as Roost. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../src/ops/server-node-flags.js';
import { newToken } from '../../src/auth/tokens.js';
import type { ConnSpec } from '../worker/protocol.js';
import { localTarget } from './scratch.js';
import { startProcess } from './server-process.js';
import type { Target } from './target.js';

export type BaselineKind = 'bare-uws' | 'bare-ws';

export const BASELINE_NAMES: Readonly<Record<BaselineKind, string>> = { 'bare-uws': 'bare uWS', 'bare-ws': 'bare ws' };

/** Rooms of roomSize, one user and token per connection, like the Roost seed. */
export function baselineLayout(connections: number, roomSize: number): Array<{ token: string; user: string; room: string }> {
  const out: Array<{ token: string; user: string; room: string }> = [];
  for (let i = 0; i < connections; i++) out.push({ token: newToken(), user: String(i + 1), room: String(Math.floor(i / roomSize) + 1) });
  return out;
}

export async function baselineServer(kind: BaselineKind, connections: number, roomSize: number, lifetimeMs: number, parentDir = tmpdir()): Promise<Target> {
  const dir = mkdtempSync(join(parentDir, 'roost-bench-baseline-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const layout = baselineLayout(connections, roomSize);
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(layout.map((l) => [l.token, l.user, l.room])));
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const script = fileURLToPath(new URL(`../baselines/${kind}${ext}`, import.meta.url));
    // From sources (tests) the child needs this process's TypeScript loader flags. The
    // baselines run on the same V8 settings as Roost, so the ratio is what the code costs.
    const nodeArgs = [...SERVER_NODE_FLAGS, ...(ext === '.ts' ? process.execArgv : [])];
    const server = await startProcess([script, '--seed', seedFile, '--lifetime-ms', String(lifetimeMs)], /listening on http:\/\/127\.0\.0\.1:(\d+)/, kind, 30_000, nodeArgs);
    const conns: ConnSpec[] = layout.map((l) => ({ token: l.token, room: l.room }));
    return {
      ...localTarget(server, remove),
      name: BASELINE_NAMES[kind],
      conns,
      roomSize,
      storedMessages: () => null,
    };
  } catch (err) {
    remove();
    throw err;
  }
}
