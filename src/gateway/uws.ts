import { createRequire } from 'node:module';
import type * as UwsModule from '@based/uws';

export type Uws = typeof UwsModule;

interface Build { pkg: string; node: string; glibc: string }

/**
 * Which package serves which Node ABI. @based/uws@6.0.1 is the v20.51.0 build (glibc 2.27+) for
 * Node 20 and 22; its Node 24 binary is a later build that needs glibc 2.38, so Node 24 takes
 * @btc-vision/uwebsockets.js@20.57.0 (an optional dependency, glibc 2.38+: Debian 13, Raspberry Pi OS trixie).
 */
const BUILDS: Readonly<Record<string, Build>> = {
  '115': { pkg: '@based/uws', node: 'Node 20', glibc: '2.27' },
  '127': { pkg: '@based/uws', node: 'Node 22', glibc: '2.27' },
  '137': { pkg: '@btc-vision/uwebsockets.js', node: 'Node 24', glibc: '2.38' },
};

function glibcVersion(): string {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ?? 'none (not glibc)';
}

/** One line that says what this machine is and what Roost's gateway needs. */
export function platformLine(): string {
  return `platform ${process.platform}, arch ${process.arch}, Node ${process.version} (ABI ${process.versions.modules}), glibc ${glibcVersion()}`;
}

export class UwsLoadError extends Error {
  constructor(reason: string, pkg = '@based/uws') {
    super(`cannot load uWebSockets.js (${pkg}) on ${platformLine()}: ${reason}; ` +
      'supported: Linux x64, arm64 or 32-bit arm with glibc 2.27+ on Node 20 or 22, and x64 or arm64 with glibc 2.38+ on Node 24');
    this.name = 'UwsLoadError';
  }
}

let loaded: Uws | undefined;

/** Loads the uWS binary once; throws UwsLoadError with a single clear line when it cannot. */
export function loadUws(): Uws {
  if (loaded !== undefined) return loaded;
  const abi = process.versions.modules;
  const build = BUILDS[abi];
  if (build === undefined) throw new UwsLoadError(`no tested binary for Node ABI ${abi}`);
  try {
    loaded = createRequire(import.meta.url)(build.pkg) as Uws;
  } catch (err) {
    const first = String((err as Error).message).split('\n').filter((l) => l.trim() !== '').pop() ?? 'unknown error';
    throw new UwsLoadError(`${first.trim()} (${build.node} needs glibc ${build.glibc}+)`, build.pkg);
  }
  return loaded;
}
