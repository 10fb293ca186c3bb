import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { configWith } from '../../src/config/load.js';
import { storageCheck } from '../../src/ops/doctor/storage-checks.js';
import { describeWear, wearOf, wearSeverity } from '../../src/ops/doctor/storage-wear.js';
import type { DoctorInputs } from '../../src/ops/doctor/types.js';

const PI4_SD = fileURLToPath(new URL('./fixtures/pi4-sd', import.meta.url));

/** The pi4-sd machine, its mmcblk0 reporting `lifeTime` (and `preEol`) as an eMMC does. */
function emmcRoot(t: { teardown: (fn: () => void) => void }, lifeTime?: string, preEol?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'roost-wear-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  cpSync(PI4_SD, root, { recursive: true });
  const device = join(root, 'sys/block/mmcblk0/device');
  mkdirSync(device, { recursive: true });
  if (lifeTime !== undefined) writeFileSync(join(device, 'life_time'), `${lifeTime}\n`);
  if (preEol !== undefined) writeFileSync(join(device, 'pre_eol_info'), `${preEol}\n`);
  return root;
}

const inputs = (root: string): DoctorInputs => ({ root, config: configWith({}), dataDir: '/var/lib/roost' } as DoctorInputs);

t.test('an eMMC\'s life-time estimates: the more worn of the two, as a range of rated life used', async (t) => {
  const w = wearOf(emmcRoot(t, '0x02 0x03', '0x01'), 'mmcblk0');
  t.same(w, { available: true, usedPercent: { low: 20, high: 30 }, exceeded: false, preEol: 'normal' });
  t.equal(describeWear(w), 'wear: 20-30 % of its rated life used, reserve blocks normal');
  t.equal(wearSeverity(w), 'ok');
});

t.test('a disk that reports no wear says so, and is judged on its kind alone', async (t) => {
  const w = wearOf(PI4_SD, 'mmcblk0');
  t.same(w, { available: false });
  const c = storageCheck(inputs(PI4_SD));
  t.equal(c.status, 'warn', 'an SD card is still warned about');
  t.match(c.detail, /mmcblk0p2.*an SD card.*; wear: not available \(the kernel reports wear for eMMC only\)$/);
});

t.test('storage near or past its rated life is warned about, then failed, with a fix', async (t) => {
  const near = storageCheck(inputs(emmcRoot(t, '0x0A 0x01')));
  t.equal(near.status, 'warn');
  t.match(near.detail, /90-100 % of its rated life used/);
  t.match(near.fix, /back up/);
  const past = storageCheck(inputs(emmcRoot(t, '0x0B 0x02')));
  t.equal(past.status, 'fail');
  t.match(past.detail, /past its rated life/);
  const urgent = storageCheck(inputs(emmcRoot(t, '0x03 0x03', '0x03')));
  t.equal(urgent.status, 'fail', 'reserve blocks urgent fails even when the estimate looks young');
});

t.test('values that are not life-time levels are not wear', async (t) => {
  t.same(wearOf(emmcRoot(t, 'garbage 0x00 0x0C'), 'mmcblk0'), { available: false });
});
