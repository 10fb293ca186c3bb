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
import { emulator } from '../lib/emulator.js';
import { registerGuest } from '../lib/guest-memory.js';

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
  // A writer parking mid-run would drop RSS by its isolate between stages and bend the
  // per-connection fit; the memory scenario turns the default back on to measure it.
  writerParkSeconds: 0,
  logLevel: 'warn',
} as const;

/** Starts a process that prints a line matching `ready` with the port in group 1; `node` is the command that runs node. */
export function startProcess(args: string[], ready: RegExp, label: string, timeoutMs = 30_000, nodeArgs: string[] = [], env: Readonly<Record<string, string>> = {}, node: readonly string[] = [process.execPath]): Promise<ServerProcess> {
  // --expose-gc lets the bench ask for a full GC (SIGUSR2) before it reads RSS.
  const [command = process.execPath, ...prefix] = node;
  const child: ChildProcess = spawn(command, [...prefix, '--expose-gc', ...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
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

/**
 * `roost serve` from this checkout (or the emulated platform's tree) on a scratch
 * data folder, on 127.0.0.1 and a free port.
 */
export async function startRoost(dataDir: string, nodeArgs: string[] = [], extraConfig: Record<string, unknown> = {}): Promise<ServerProcess> {
  const configFile = join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ ...SCRATCH_CONFIG, ...extraConfig }));
  // bench/target/x.ts in tests, dist/bench/target/x.js when built.
  const up = import.meta.url.endsWith('.ts') ? '../../' : '../../../';
  const emu = emulator();
  const bin = emu === null ? fileURLToPath(new URL(`${up}bin/roost.js`, import.meta.url)) : join(emu.root, 'bin/roost.js');
  const mapsFile = join(dataDir, 'guest-maps');
  const preload = emu === null ? [] : ['--import', new URL(`guest-maps-preload${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href];
  const server = await startProcess(
    [bin, 'serve', '--data', dataDir, '--config', configFile, '--host', '127.0.0.1', '--port', '0'],
    /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    'roost serve',
    // An emulated start runs every line of the start path through the translator first.
    emu === null ? 30_000 : 300_000,
    [...SERVER_NODE_FLAGS, ...preload, ...nodeArgs],
    emu === null ? SERVER_ALLOCATOR_ENV : { ...SERVER_ALLOCATOR_ENV, ROOST_GUEST_MAPS_FILE: mapsFile },
    emu?.node,
  );
  if (emu !== null) registerGuest(server.pid, mapsFile);
  return server;
}

/**
 * Sends SIGUSR2 (a full GC in a server started with --expose-gc) twice and lets the heap
 * settle. Twice: the pages one collection empties go back to the OS only at the next (Node 20,
 * after a burst: RSS 224 MiB after one `gc()`, 54 after a second, the live heap the same). With
 * one, a figure read after a burst of handshakes still held that burst's garbage: the matrix
 * scenario's 5,000 held `/sync` read 114 MiB of RSS, and 87.5 when the server was asked twice.
 */
export async function requestGc(pid: number): Promise<void> {
  for (let i = 0; i < 2; i++) {
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
