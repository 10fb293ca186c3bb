import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { ImageProbe } from '../../src/gateway/image-probe.js';
import type { Logger } from '../../src/log.js';

type Line = Record<string, unknown>;

/** A logger that keeps its lines (pino writes to a plain object's write synchronously). */
function capture(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  return { log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) }), lines };
}

function folder(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'roost-image-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const UPLOADS = 25;

t.test('when sharp cannot load, uploads go on without thumbnails and the reason is logged once, not once per upload', async (t) => {
  const dir = folder(t);
  const png = join(dir, 'a.png');
  writeFileSync(png, await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).png().toBuffer());
  const { log, lines } = capture();
  let loads = 0;
  const probe = new ImageProbe(log, async () => {
    loads++;
    throw new Error('Could not load the "sharp" module using the linux-arm64 runtime');
  });
  const results = await Promise.all(Array.from({ length: UPLOADS }, (_, k) => probe.probe(png, 'image/png', join(dir, `t${k}.webp`), `file${k}`)));
  t.same(results, Array.from({ length: UPLOADS }, () => null), 'no dimensions, no thumbnail');
  t.equal(loads, 1, 'loaded once');
  t.same(lines.map((l) => ({ level: l.level, reason: l.reason })), [{ level: 40, reason: 'Could not load the "sharp" module using the linux-arm64 runtime' }], 'one warning with the reason');
  await probe.probe(png, 'image/png', join(dir, 'later.webp'), 'later');
  t.equal(lines.length, 1, 'a later upload logs nothing more');
});

t.test('a loader that throws instead of rejecting is handled the same way', async (t) => {
  const { log, lines } = capture();
  const probe = new ImageProbe(log, () => { throw new Error('libvips-cpp.so.42: cannot open shared object file'); });
  t.equal(await probe.probe('/nonexistent.png', 'image/png', '/nonexistent.webp', 'f1'), null);
  t.match(lines, [{ level: 40, reason: /libvips-cpp/ }]);
});

t.test('an image that fails to decode is logged with its file id; sharp stays in use for the next one', async (t) => {
  const dir = folder(t);
  const broken = join(dir, 'broken.png');
  writeFileSync(broken, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('not really a png')]));
  const good = join(dir, 'good.png');
  writeFileSync(good, await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a7' } }).png().toBuffer());
  const { log, lines } = capture();
  const probe = new ImageProbe(log);
  t.equal(await probe.probe(broken, 'image/png', join(dir, 'broken.webp'), 'brokenFileId'), null);
  t.match(lines, [{ level: 40, file: 'brokenFileId', reason: /\w/ }], 'warned with the file id and the reason');
  t.same(await probe.probe(good, 'image/png', join(dir, 'good.webp'), 'goodFileId'), { width: 640, height: 480, thumb: true });
  t.ok(existsSync(join(dir, 'good.webp')), 'thumbnail written');
  t.equal(lines.length, 1, 'a good image logs nothing');
});
