/**
 * A compact QR code encoder for invitation links: byte mode, error
 * correction level M, versions 1–10 (up to 213 bytes, far more than a link
 * needs). Follows ISO/IEC 18004; the layout and penalty rules are the
 * standard's, the code is written for size, not speed (one symbol per click).
 */

/** Per version (index 0 = version 1): EC codewords per block, and the blocks' data codeword counts. */
const BLOCKS: ReadonlyArray<{ ec: number; data: readonly number[] }> = [
  { ec: 10, data: [16] },
  { ec: 16, data: [28] },
  { ec: 26, data: [44] },
  { ec: 18, data: [32, 32] },
  { ec: 24, data: [43, 43] },
  { ec: 16, data: [27, 27, 27, 27] },
  { ec: 18, data: [31, 31, 31, 31] },
  { ec: 22, data: [38, 38, 39, 39] },
  { ec: 22, data: [36, 36, 36, 37, 37] },
  { ec: 26, data: [43, 43, 43, 43, 44] },
];

/** Centres of alignment patterns per version (rows and columns alike). */
const ALIGN: ReadonlyArray<readonly number[]> = [
  [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
];

export const MAX_VERSION = BLOCKS.length;

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255] as number;
}
const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : (EXP[(LOG[a] as number) + (LOG[b] as number)] as number));

/** Reed–Solomon error correction codewords of `data` (generator with roots α^0..α^(n-1)). */
export function reedSolomon(data: readonly number[], n: number): number[] {
  let gen = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array<number>(gen.length + 1).fill(0);
    for (let j = 0; j < gen.length; j++) {
      next[j] = (next[j] as number) ^ (gen[j] as number);
      next[j + 1] = (next[j + 1] as number) ^ mul(gen[j] as number, EXP[i] as number);
    }
    gen = next;
  }
  const rem = new Array<number>(n).fill(0);
  for (const byte of data) {
    const factor = byte ^ (rem.shift() as number);
    rem.push(0);
    for (let j = 0; j < n; j++) rem[j] = (rem[j] as number) ^ mul(gen[j + 1] as number, factor);
  }
  return rem;
}

/** The 15 format bits for level M and a mask (BCH(15,5), then XOR 0x5412). */
export function formatBits(mask: number): number {
  const data = (0b00 << 3) | mask; // level M is 00
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

/** The 18 version bits (versions 7 and up; BCH(18,6)). */
export function versionBits(version: number): number {
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (version << 12) | rem;
}

const dataCapacity = (v: number): number => (BLOCKS[v - 1] as { data: readonly number[] }).data.reduce((a, b) => a + b, 0);

/** The codewords of `bytes` in byte mode, padded to the version's capacity, or null when they do not fit. */
function dataCodewords(bytes: Uint8Array, version: number): number[] | null {
  const capacityBits = dataCapacity(version) * 8;
  const countBits = version < 10 ? 8 : 16;
  if (4 + countBits + bytes.length * 8 > capacityBits) return null;
  const bits: number[] = [];
  const put = (value: number, len: number): void => {
    for (let i = len - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, countBits);
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, capacityBits - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const words: number[] = [];
  for (let i = 0; i < bits.length; i += 8) words.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; words.length < capacityBits / 8; pad ^= 0xec ^ 0x11) words.push(pad);
  return words;
}

/** Data and EC codewords of every block, interleaved as they are placed. */
export function interleave(data: readonly number[], version: number): number[] {
  const { ec, data: sizes } = BLOCKS[version - 1] as { ec: number; data: readonly number[] };
  const blocks: number[][] = [];
  let at = 0;
  for (const size of sizes) {
    blocks.push(data.slice(at, at + size));
    at += size;
  }
  const ecs = blocks.map((b) => reedSolomon(b, ec));
  const out: number[] = [];
  for (let i = 0; i < Math.max(...sizes); i++) for (const b of blocks) if (i < b.length) out.push(b[i] as number);
  for (let i = 0; i < ec; i++) for (const e of ecs) out.push(e[i] as number);
  return out;
}

const MASKS: ReadonlyArray<(r: number, c: number) => boolean> = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

/** A QR symbol: `size` × `size` modules, true = dark, row by row. */
export interface QrCode { version: number; size: number; mask: number; modules: boolean[][] }

class Grid {
  readonly dark: boolean[][];
  readonly fixed: boolean[][];
  constructor(readonly size: number) {
    this.dark = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.fixed = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }
  set(r: number, c: number, dark: boolean): void {
    (this.dark[r] as boolean[])[c] = dark;
    (this.fixed[r] as boolean[])[c] = true;
  }
}

function drawFunctionPatterns(g: Grid, version: number): void {
  const n = g.size;
  for (let i = 0; i < n; i++) {
    g.set(6, i, i % 2 === 0);
    g.set(i, 6, i % 2 === 0);
  }
  for (const [r0, c0] of [[3, 3], [3, n - 4], [n - 4, 3]] as const) {
    for (let dr = -4; dr <= 4; dr++) {
      for (let dc = -4; dc <= 4; dc++) {
        const r = r0 + dr;
        const c = c0 + dc;
        if (r < 0 || r >= n || c < 0 || c >= n) continue;
        const d = Math.max(Math.abs(dr), Math.abs(dc));
        g.set(r, c, d !== 2 && d !== 4);
      }
    }
  }
  const centres = ALIGN[version - 1] as readonly number[];
  const last = centres.length - 1;
  centres.forEach((r, i) => centres.forEach((c, j) => {
    // Not where a finder pattern sits.
    if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) g.set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
  }));
  drawFormat(g, 0); // reserves the format areas; drawn for real once the mask is chosen
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = n - 11 + (i % 3);
      const b = Math.floor(i / 3);
      g.set(b, a, dark);
      g.set(a, b, dark);
    }
  }
}

function drawFormat(g: Grid, mask: number): void {
  const n = g.size;
  const bits = formatBits(mask);
  const bit = (i: number): boolean => ((bits >>> i) & 1) === 1;
  // Around the top-left finder.
  for (let i = 0; i <= 5; i++) g.set(i, 8, bit(i));
  g.set(7, 8, bit(6));
  g.set(8, 8, bit(7));
  g.set(8, 7, bit(8));
  for (let i = 9; i < 15; i++) g.set(8, 14 - i, bit(i));
  // The copy split between the other two finders.
  for (let i = 0; i < 8; i++) g.set(8, n - 1 - i, bit(i));
  for (let i = 8; i < 15; i++) g.set(n - 15 + i, 8, bit(i));
  g.set(n - 8, 8, true); // the dark module
}

function drawCodewords(g: Grid, words: readonly number[]): void {
  const n = g.size;
  let i = 0;
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern takes column 6
    for (let vert = 0; vert < n; vert++) {
      for (let j = 0; j < 2; j++) {
        const c = right - j;
        const upward = ((right + 1) & 2) === 0;
        const r = upward ? n - 1 - vert : vert;
        if ((g.fixed[r] as boolean[])[c] || i >= words.length * 8) continue;
        (g.dark[r] as boolean[])[c] = (((words[i >>> 3] as number) >>> (7 - (i & 7))) & 1) === 1;
        i++;
      }
    }
  }
}

function applyMask(g: Grid, mask: number): void {
  const f = MASKS[mask] as (r: number, c: number) => boolean;
  for (let r = 0; r < g.size; r++) {
    for (let c = 0; c < g.size; c++) {
      if (!(g.fixed[r] as boolean[])[c] && f(r, c)) (g.dark[r] as boolean[])[c] = !(g.dark[r] as boolean[])[c];
    }
  }
}

/** The standard's penalty: long runs, 2×2 blocks, finder look-alikes, and dark/light imbalance. */
export function penalty(m: readonly (readonly boolean[])[]): number {
  const n = m.length;
  const at = (r: number, c: number): boolean => (m[r] as readonly boolean[])[c] as boolean;
  let score = 0;
  const lines = (get: (i: number, j: number) => boolean): void => {
    for (let i = 0; i < n; i++) {
      let run = 1;
      for (let j = 1; j <= n; j++) {
        if (j < n && get(i, j) === get(i, j - 1)) run++;
        else {
          if (run >= 5) score += 3 + (run - 5);
          run = 1;
        }
      }
      // 1:1:3:1:1 with four light modules on one side (outside the symbol counts as light).
      for (let j = -4; j < n; j++) {
        const v = (k: number): boolean => (k >= 0 && k < n ? get(i, k) : false);
        const core = v(j) && !v(j + 1) && v(j + 2) && v(j + 3) && v(j + 4) && !v(j + 5) && v(j + 6);
        if (!core) continue;
        const lightBefore = [1, 2, 3, 4].every((k) => !v(j - k));
        const lightAfter = [7, 8, 9, 10].every((k) => !v(j + k));
        if (lightBefore) score += 40;
        if (lightAfter) score += 40;
      }
    }
  };
  lines((i, j) => at(i, j));
  lines((i, j) => at(j, i));
  let dark = 0;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (at(r, c)) dark++;
      if (r + 1 < n && c + 1 < n && at(r, c) === at(r, c + 1) && at(r, c) === at(r + 1, c) && at(r, c) === at(r + 1, c + 1)) score += 3;
    }
  }
  const k = Math.ceil(Math.abs(dark * 20 - n * n * 10) / (n * n)) - 1;
  return score + Math.max(0, k) * 10;
}

/** Encodes `text` (UTF-8) in the smallest version that holds it; throws past version 10. */
export function encodeQr(text: string, forceMask?: number): QrCode {
  const bytes = new TextEncoder().encode(text);
  for (let version = 1; version <= MAX_VERSION; version++) {
    const data = dataCodewords(bytes, version);
    if (data === null) continue;
    const words = interleave(data, version);
    const size = version * 4 + 17;
    let best: { mask: number; modules: boolean[][]; score: number } | null = null;
    for (let mask = 0; mask < 8; mask++) {
      if (forceMask !== undefined && mask !== forceMask) continue;
      const g = new Grid(size);
      drawFunctionPatterns(g, version);
      drawCodewords(g, words);
      applyMask(g, mask);
      drawFormat(g, mask);
      const score = penalty(g.dark);
      if (best === null || score < best.score) best = { mask, modules: g.dark, score };
    }
    if (best === null) throw new Error('no mask');
    return { version, size, mask: best.mask, modules: best.modules };
  }
  throw new Error(`too long for a QR code up to version ${MAX_VERSION}: ${bytes.length} bytes`);
}
