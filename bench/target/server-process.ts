/**
 * A server under test running as its own process, so its RSS, CPU and
 * descriptors can be read from /proc apart from the load generators': the
 * real `roost serve` on a scratch data folder, or a baseline server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_ALLOCATOR_ENV, SERVER_NODE_FLAGS } from '../../src/ops/server-node-flags.js';

export interface ServerProcess {
  pid: number;
  port: number;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
  stop(): Promise<void>;
  /** Resolves if the process ends by itself (a crash). */
  exited: Promise<number | null>;
}

/** Scratch-server settings: measure capacity, not policy (rate limits off, caps raised). */
export const SCRATCH_CONFIG = {
  framesPerSecond: 0,
  userFramesPerSecond: 0,
  maxSocketsPerUser: 1_000_000,
  maxSocketsPerIp: 1_000_000,
  maxConnections: 10_000_000,
  logLevel: 'warn',
} as const;

/** Starts a process that prints a line matching `ready` with the port in group 1. */
export function startProcess(args: string[], ready: RegExp, label: string, timeoutMs = 30_000, nodeArgs: string[] = [], env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> {
  // --expose-gc lets the bench ask for a full GC (SIGUSR2) before it reads RSS.
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', ...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not start within ${timeoutMs} ms: ${output.slice(-500)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = ready.exec(output);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      // Keep draining so a chatty child never blocks on a full pipe.
      child.stdout?.resume();
      resolve({
        pid: child.pid ?? 0,
        port: Number(m[1]),
        exited,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timer2 = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer2);
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.length > 20_000) output = output.slice(-10_000);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before it was ready: ${output.slice(-500)}`));
    });
  });
}

/** `roost serve` from this checkout on a scratch data folder, on 127.0.0.1 and a free port. */
export function startRoost(dataDir: string, nodeArgs: string[] = [], extraConfig: Record<string, unknown> = {}): Promise<ServerProcess> {
  const configFile = join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ ...SCRATCH_CONFIG, ...extraConfig }));
  // bench/target/x.ts in tests, dist/bench/target/x.js when built.
  const up = import.meta.url.endsWith('.ts') ? '../../' : '../../../';
  const bin = fileURLToPath(new URL(`${up}bin/roost.js`, import.meta.url));
  return startProcess(
    [bin, 'serve', '--data', dataDir, '--config', configFile, '--host', '127.0.0.1', '--port', '0'],
    /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    'roost serve',
    30_000,
    [...SERVER_NODE_FLAGS, ...nodeArgs],
    SERVER_ALLOCATOR_ENV,
  );
}

/** Sends SIGUSR2 (a full GC in a server started with --expose-gc) and lets the heap settle. */
export async function requestGc(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
