import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fileLinkKeyPath, loadFileLinkKey } from '../../src/auth/file-link-key.js';
import { FileLinks } from '../../src/auth/file-links.js';

const key = Buffer.alloc(32, 7);

t.test('a capability names its user and holds for its file and variant until it expires', async (t) => {
  let now = 1_767_225_600_000;
  const links = new FileLinks(key, 600, () => now);
  const cap = links.issue('abc', 'original', 42);
  t.match(cap, /^42\.1767226200\.[A-Za-z0-9_-]{43}$/, 'user, expiry in unix seconds, signature');
  t.equal(links.verify(cap, 'abc', 'original'), 42);
  t.equal(links.verify(cap, 'abd', 'original'), undefined, 'another file');
  t.equal(links.verify(cap, 'abc', 'thumbnail'), undefined, 'another variant');
  now += 599_999;
  t.equal(links.verify(cap, 'abc', 'original'), 42, 'a millisecond before expiry');
  now += 1;
  t.equal(links.verify(cap, 'abc', 'original'), undefined, 'at expiry');
});

t.test('a tampered, malformed or foreign-key capability is refused', async (t) => {
  const now = 1_767_225_600_000;
  const links = new FileLinks(key, 600, () => now);
  const cap = links.issue('abc', 'thumbnail', 5);
  const [user, exp, sig] = cap.split('.') as [string, string, string];
  for (const bad of [
    `6.${exp}.${sig}`, `5.${Number(exp) + 60}.${sig}`, `${user}.${exp}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`,
    `${cap}.x`, '', '...', `05.${exp}.${sig}`, `${user}.${exp}.${sig}=`, `${user}.${exp}`,
  ]) {
    t.equal(links.verify(bad, 'abc', 'thumbnail'), undefined, JSON.stringify(bad.slice(0, 30)));
  }
  t.equal(new FileLinks(Buffer.alloc(32, 8), 600, () => now).verify(cap, 'abc', 'thumbnail'), undefined, 'another server\'s key');
});

t.test('the key is created once (0600) and kept; an unreadable one is replaced', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'roost-key-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = loadFileLinkKey(dir);
  t.equal(first.length, 32);
  t.equal(statSync(fileLinkKeyPath(dir)).mode & 0o777, 0o600);
  t.same(loadFileLinkKey(dir), first, 'the same key after a restart: links survive it');
  writeFileSync(fileLinkKeyPath(dir), 'not hex');
  const second = loadFileLinkKey(dir);
  t.equal(second.length, 32);
  t.notSame(second, first, 'a damaged key is replaced by a new one');
});
