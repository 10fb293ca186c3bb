import t from 'tap';
import { decoyHash, generatePassword, hashPassword, verifyPassword } from '../../src/auth/password.js';

t.test('a hashed password verifies, a different one does not', async (t) => {
  const stored = await hashPassword('correct horse battery');
  t.match(stored, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.notMatch(stored, /correct horse/);
  t.equal(await verifyPassword('correct horse battery', stored), true);
  t.equal(await verifyPassword('correct horse batterY', stored), false);
  t.equal(await verifyPassword('', stored), false);
});

t.test('each hash has its own salt', async (t) => {
  const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
  t.not(a, b);
  t.equal(await verifyPassword('same', a), true);
  t.equal(await verifyPassword('same', b), true);
});

t.test('composed and decomposed forms of the same text are the same password (NFC)', async (t) => {
  const stored = await hashPassword('caf\u00e9-secret');
  t.equal(await verifyPassword('cafe\u0301-secret', stored), true);
});

t.test('a stored value that is not an scrypt hash matches nothing', async (t) => {
  for (const stored of ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$16384$8$1$c2FsdA==']) {
    t.equal(await verifyPassword('plain', stored), false, stored);
  }
});

t.test('the decoy hash, used for unknown users, matches no password and is computed once', async (t) => {
  const d = await decoyHash();
  t.equal(await decoyHash(), d);
  t.equal(await verifyPassword('', d), false);
  t.equal(await verifyPassword('admin', d), false);
});

t.test('a generated password is 20 unambiguous characters and differs every time', async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const p = generatePassword();
    t.match(p, /^[a-km-np-zA-HJ-NP-Z2-9]{20}$/);
    seen.add(p);
  }
  t.equal(seen.size, 200);
});
