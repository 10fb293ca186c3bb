import t from 'tap';
import { checkTarget, isLanAddress } from '../../src/gateway/lan-target.js';

t.test('LAN addresses: loopback, RFC 1918, RFC 4193, link-local; nothing else', async (t) => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.20', '169.254.3.4', '::1', 'fd12:3456::1', 'fe80::1', '::ffff:192.168.1.2', '[::1]']) {
    t.ok(isLanAddress(a), a);
  }
  for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.64.0.1', '2001:db8::1', '::ffff:8.8.8.8', 'nas.local', '']) t.notOk(isLanAddress(a), a);
});

t.test('a URL counts by the addresses its host resolves to', async (t) => {
  await t.resolves(checkTarget('http://127.0.0.1:9/x', false));
  await t.resolves(checkTarget('http://localhost:9/x', false), 'a name that resolves to loopback');
  await t.rejects(checkTarget('http://8.8.8.8/x', false), /not on the LAN/);
  await t.resolves(checkTarget('http://8.8.8.8/x', true), 'unless remote targets are allowed');
});
