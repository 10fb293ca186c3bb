import t from 'tap';
import { guestBase, guestRssBytes, guestRssOf, parseMaps, parseSmaps, registerGuest } from '../../bench/lib/guest-memory.js';

const KiB = 1024;

/** One smaps entry: the mapping line and its Rss. */
const smap = (line: string, rssKiB: number): string => `${line}\nSize: 0 kB\nRss:            ${rssKiB} kB\nPss: 0 kB\n`;

// A 32-bit guest: qemu put its 4 GiB window at 0x7f0000000000.
const guestMaps = [
  '00010000-00020000 r-xp 00000000 fe:00 42 /opt/arm/bin/node',
  '00020000-00030000 rw-p 00010000 fe:00 42 /opt/arm/bin/node',
  '40000000-40100000 rw-p 00000000 00:00 0 ',
].join('\n');
const hostSmaps = [
  smap('555500000000-555500400000 r-xp 00000000 fe:00 7 /usr/bin/qemu-arm', 3000),
  smap('555500800000-555501000000 rw-p 00000000 00:00 0 [heap]', 5000),
  smap('7f0000010000-7f0000020000 r--p 00000000 fe:00 42 /opt/arm/bin/node', 40),
  smap('7f0000020000-7f0000030000 rw-p 00010000 fe:00 42 /opt/arm/bin/node', 8),
  // The guest's anonymous megabyte shares one host mapping with 1 MiB the guest never made.
  smap('7f0040000000-7f0040200000 rw-p 00000000 00:00 0 ', 600),
  // qemu's translated-code cache: rwx, anonymous, outside every guest mapping.
  smap('7f1000000000-7f1040000000 rwxp 00000000 00:00 0 ', 20000),
].join('');

t.test('the guest is placed by a file both sides map at the same offset', async (t) => {
  const base = guestBase(parseMaps(guestMaps), parseSmaps(hostSmaps));
  t.equal(base, 0x7f0000000000);
  t.equal(guestBase(parseMaps('00010000-00020000 r-xp 00000000 fe:00 42 /elsewhere/node'), parseSmaps(hostSmaps)), null, 'no shared file: unknown');
});

t.test('only pages inside the guest\'s own mappings count, not the emulator\'s', async (t) => {
  // 40 + 8 KiB of the binary, half of the 600 KiB mapping (the guest owns half its span).
  t.equal(guestRssBytes(guestMaps, hostSmaps), (40 + 8 + 300) * KiB);
  t.equal(guestRssBytes('', hostSmaps), null, 'no guest mappings: no figure, never the host\'s');
});

t.test('a 64-bit guest sits at guest_base 0', async (t) => {
  const maps = '00400000-00500000 r-xp 00000000 fe:00 9 /opt/a64/node\n7fff00000000-7fff00100000 rw-p 00000000 00:00 0 \n';
  const host = smap('00400000-00500000 r-xp 00000000 fe:00 9 /opt/a64/node', 100) + smap('7fff00000000-7fff00100000 rw-p 00000000 00:00 0 ', 50) + smap('7fff80000000-7fff90000000 rwxp 00000000 00:00 0 ', 9999);
  t.equal(guestRssBytes(maps, host), 150 * KiB);
});

t.test('a process the bench did not start under an emulator is not a guest', async (t) => {
  t.equal(guestRssOf(process.pid), undefined);
  registerGuest(process.pid, '/nonexistent/guest-maps');
  t.equal(guestRssOf(process.pid), null, 'a registered guest whose maps are unreadable has no figure');
});
