import t from 'tap';
import { hashToken, looksLikeToken, newToken } from '../../src/auth/tokens.js';

t.test('a token is stored as its SHA-256 in hex: databases written before keep logging in', async (t) => {
  t.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'the standard test vector');
  const token = newToken();
  t.equal(hashToken(token), hashToken(token), 'the same token, the same hash');
  t.not(hashToken(token), hashToken(newToken()), 'another token, another hash');
});

t.test('a new token has the shape tokens are checked for before any lookup', async (t) => {
  for (let i = 0; i < 20; i++) t.ok(looksLikeToken(newToken()));
  t.notOk(looksLikeToken('short'));
  t.notOk(looksLikeToken(`${'a'.repeat(42)}!`), 'a character outside base64url');
});
