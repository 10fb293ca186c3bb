import t from 'tap';
import { encodeQr, formatBits, interleave, penalty, reedSolomon, versionBits, type QrCode } from '../../src/web/qr.js';

t.test('Reed-Solomon codewords match the standard\'s worked example (HELLO WORLD, 1-M)', async (t) => {
  const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
  t.same(reedSolomon(data, 10), [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
});

t.test('format bits for level M match the standard\'s table for every mask', async (t) => {
  const table = ['101010000010010', '101000100100101', '101111001111100', '101101101001011', '100010111111001', '100000011001110', '100111110010111', '100101010100000'];
  table.forEach((bits, mask) => t.equal(formatBits(mask).toString(2).padStart(15, '0'), bits, `mask ${mask}`));
});

t.test('version bits match the standard\'s table for versions 7 to 10', async (t) => {
  t.equal(versionBits(7).toString(2).padStart(18, '0'), '000111110010010100');
  t.equal(versionBits(8).toString(2).padStart(18, '0'), '001000010110111100');
  t.equal(versionBits(9).toString(2).padStart(18, '0'), '001001101010011001');
  t.equal(versionBits(10).toString(2).padStart(18, '0'), '001010010011010011');
});

/** Reads a symbol back the way a scanner does once it has the grid: format, unmask, zigzag, de-interleave, check, parse. */
function decode(q: QrCode): string {
  const n = q.size;
  const m = q.modules;
  let fmt = 0;
  for (let i = 0; i <= 5; i++) fmt |= (m[i]?.[8] ? 1 : 0) << i;
  fmt |= (m[7]?.[8] ? 1 : 0) << 6;
  fmt |= (m[8]?.[8] ? 1 : 0) << 7;
  fmt |= (m[8]?.[7] ? 1 : 0) << 8;
  for (let i = 9; i < 15; i++) fmt |= (m[8]?.[14 - i] ? 1 : 0) << i;
  const mask = [0, 1, 2, 3, 4, 5, 6, 7].find((k) => formatBits(k) === fmt);
  if (mask === undefined) throw new Error('format bits are not level M');
  const fixed = functionModules(q.version);
  const masks: Array<(r: number, c: number) => boolean> = [
    (r, c) => (r + c) % 2 === 0, (r) => r % 2 === 0, (_r, c) => c % 3 === 0, (r, c) => (r + c) % 3 === 0,
    (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0, (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
    (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0, (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
  ];
  const bits: number[] = [];
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < n; vert++) {
      for (let j = 0; j < 2; j++) {
        const c = right - j;
        const r = ((right + 1) & 2) === 0 ? n - 1 - vert : vert;
        if (fixed[r]?.[c]) continue;
        bits.push((m[r]?.[c] ? 1 : 0) ^ ((masks[mask] as (r: number, c: number) => boolean)(r, c) ? 1 : 0));
      }
    }
  }
  const words: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) words.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  const layout = BLOCK_TABLE[q.version - 1] as { ec: number; data: number[] };
  const blocks = layout.data.map(() => [] as number[]);
  let k = 0;
  for (let i = 0; i < Math.max(...layout.data); i++) layout.data.forEach((size, b) => { if (i < size) (blocks[b] as number[]).push(words[k++] as number); });
  const ecs = layout.data.map(() => [] as number[]);
  for (let i = 0; i < layout.ec; i++) ecs.forEach((e) => e.push(words[k++] as number));
  blocks.forEach((b, i) => {
    if (JSON.stringify(reedSolomon(b, layout.ec)) !== JSON.stringify(ecs[i])) throw new Error(`block ${i}: error correction does not match`);
  });
  const data = blocks.flat();
  const stream = data.flatMap((w) => [7, 6, 5, 4, 3, 2, 1, 0].map((s) => (w >>> s) & 1));
  const read = (from: number, len: number): number => stream.slice(from, from + len).reduce((a, b) => (a << 1) | b, 0);
  if (read(0, 4) !== 0b0100) throw new Error('not byte mode');
  const countBits = q.version < 10 ? 8 : 16;
  const len = read(4, countBits);
  const bytes = Array.from({ length: len }, (_, i) => read(4 + countBits + i * 8, 8));
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const BLOCK_TABLE = [
  { ec: 10, data: [16] }, { ec: 16, data: [28] }, { ec: 26, data: [44] }, { ec: 18, data: [32, 32] }, { ec: 24, data: [43, 43] },
  { ec: 16, data: [27, 27, 27, 27] }, { ec: 18, data: [31, 31, 31, 31] }, { ec: 22, data: [38, 38, 39, 39] },
  { ec: 22, data: [36, 36, 36, 37, 37] }, { ec: 26, data: [43, 43, 43, 43, 44] },
];

/** Function modules per the standard: finders with separators, timing, alignment, format and version areas, dark module. */
function functionModules(version: number): boolean[][] {
  const n = version * 4 + 17;
  const f = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  const mark = (r: number, c: number): void => { if (r >= 0 && c >= 0 && r < n && c < n) (f[r] as boolean[])[c] = true; };
  for (let i = 0; i < n; i++) { mark(6, i); mark(i, 6); }
  // Finder + separator + format strip: 9×9 at the top left, 8 wide × 9 high at the top right, 9 wide × 8 high at the bottom left.
  for (let r = 0; r < 9; r++) for (let c = 0; c < 9; c++) mark(r, c);
  for (let r = 0; r < 9; r++) for (let c = 0; c < 8; c++) mark(r, n - 1 - c);
  for (let r = 0; r < 8; r++) for (let c = 0; c < 9; c++) mark(n - 1 - r, c);
  const centres = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]][version - 1] as number[];
  for (const r of centres) for (const c of centres) {
    if ((r === 6 && c === 6) || (r === 6 && c === n - 7) || (r === n - 7 && c === 6)) continue;
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) mark(r + dr, c + dc);
  }
  if (version >= 7) for (let i = 0; i < 6; i++) for (let j = 0; j < 3; j++) { mark(i, n - 11 + j); mark(n - 11 + j, i); }
  return f;
}

t.test('an invitation URL encodes to a symbol that reads back to the same text, with valid error correction', async (t) => {
  const samples = [
    'http://roost.local:8080/join/AbCdEfGhIjKlMnOpQrStUvWxYz012345',
    'https://raspberrypi.local/join/' + '_-'.repeat(16),
    'x',
    'a'.repeat(200),
    'Zugang für Oma 🐦 https://192.168.1.20:8443/join/Q2hhdCB3aXRoIGZhbWlseSBvbiBhIFBp',
  ];
  for (const text of samples) {
    const q = encodeQr(text);
    t.equal(q.size, q.version * 4 + 17);
    t.equal(decode(q), text, `${text.slice(0, 40)}… (version ${q.version}, mask ${q.mask})`);
  }
  t.equal(encodeQr('http://roost.local:8080/join/AbCdEfGhIjKlMnOpQrStUvWxYz012345').version, 4, 'a 60-byte link needs version 4 at level M');
  t.equal(encodeQr('a'.repeat(14)).version, 1, '14 bytes fit version 1-M');
  t.equal(encodeQr('a'.repeat(15)).version, 2, '15 bytes do not');
  t.throws(() => encodeQr('a'.repeat(214)), /too long/);
});

t.test('the chosen mask is the one with the least penalty', async (t) => {
  const text = 'http://roost.local/join/abc';
  const chosen = encodeQr(text);
  for (let mask = 0; mask < 8; mask++) t.ok(penalty(chosen.modules) <= penalty(encodeQr(text, mask).modules), `mask ${mask}`);
});

t.test('interleaving puts block 1 and block 2 codewords alternately (version 5: two blocks of 43)', async (t) => {
  const data = Array.from({ length: 86 }, (_, i) => i);
  const out = interleave(data, 5);
  t.same(out.slice(0, 4), [0, 43, 1, 44]);
  t.equal(out.length, 134);
});

t.test('finder patterns sit in three corners, with the timing patterns between them and the dark module', async (t) => {
  const q = encodeQr('http://roost.local/join/abc');
  const n = q.size;
  const finder = ['1111111', '1000001', '1011101', '1011101', '1011101', '1000001', '1111111'];
  const rows = (r0: number, c0: number): string[] => finder.map((_, r) => q.modules[r0 + r]?.slice(c0, c0 + 7).map((d) => (d ? '1' : '0')).join('') ?? '');
  t.same(rows(0, 0), finder, 'top left');
  t.same(rows(0, n - 7), finder, 'top right');
  t.same(rows(n - 7, 0), finder, 'bottom left');
  t.same(q.modules[7]?.slice(0, 8), new Array(8).fill(false), 'a light separator under the top-left finder');
  for (let i = 8; i < n - 8; i++) {
    t.equal(q.modules[6]?.[i], i % 2 === 0, `timing row at ${i}`);
    t.equal(q.modules[i]?.[6], i % 2 === 0, `timing column at ${i}`);
  }
  t.equal(q.modules[n - 8]?.[8], true, 'the dark module');
});
