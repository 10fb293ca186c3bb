/**
 * The server on another processor, under qemu-user: ROOST_BENCH_EMULATOR is JSON
 * `{"node": ["qemu-aarch64", "-L", "/", "/…/arm64/bin/node"], "root": "/…/arm64 tree"}`
 * (what `.ci/emulated` builds). Its memory is then read from the guest's own pages.
 */
export interface Emulator { node: string[]; root: string }

export function emulator(): Emulator | null {
  const raw = process.env.ROOST_BENCH_EMULATOR;
  if (raw === undefined || raw === '') return null;
  const usage = 'ROOST_BENCH_EMULATOR must be {"node": [emulator, …, node binary], "root": tree with bin/roost.js}';
  let e: Partial<Emulator>;
  try {
    e = JSON.parse(raw) as Partial<Emulator>;
  } catch {
    throw new Error(`${usage}; it is not JSON`);
  }
  if (!Array.isArray(e.node) || e.node.length === 0 || typeof e.root !== 'string') throw new Error(usage);
  return { node: e.node, root: e.root };
}
