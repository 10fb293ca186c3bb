import { createRequire } from 'node:module';
import type * as UwsModule from '@based/uws';

export type Uws = typeof UwsModule;

/** Node ABIs whose binaries in @based/uws@6.0.1 are the v20.51.0 build (glibc 2.27+): Node 20 and 22. */
const SUPPORTED_ABIS: Readonly<Record<string, string>> = { '115': 'Node 20', '127': 'Node 22' };

function glibcVersion(): string {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ?? 'none (not glibc)';
}

/** One line that says what this machine is and what Roost's gateway needs. */
export function platformLine(): string {
  return `platform ${process.platform}, arch ${process.arch}, Node ${process.version} (ABI ${process.versions.modules}), glibc ${glibcVersion()}`;
}

export class UwsLoadError extends Error {
  constructor(reason: string) {
    super(`cannot load uWebSockets.js (@based/uws 6.0.1) on ${platformLine()}: ${reason}; supported: Linux x64, arm64 or 32-bit arm with glibc 2.27+ on Node 20 or 22`);
    this.name = 'UwsLoadError';
  }
}

let loaded: Uws | undefined;

/** Loads the uWS binary once; throws UwsLoadError with a single clear line when it cannot. */
export function loadUws(): Uws {
  if (loaded !== undefined) return loaded;
  const abi = process.versions.modules;
  if (SUPPORTED_ABIS[abi] === undefined) throw new UwsLoadError(`no tested binary for Node ABI ${abi}`);
  try {
    loaded = createRequire(import.meta.url)('@based/uws') as Uws;
  } catch (err) {
    const first = String((err as Error).message).split('\n').filter((l) => l.trim() !== '').pop() ?? 'unknown error';
    throw new UwsLoadError(first.trim());
  }
  return loaded;
}
