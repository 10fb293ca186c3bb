import { isIPv6 } from 'node:net';

/**
 * True for an address of this machine's loopback interface: 127.0.0.0/8 and
 * ::1 in any spelling (uWS gives IPv6 fully expanded), and their IPv4-mapped
 * forms. Used to keep /metrics to local scrapers unless an admin token is shown.
 */
export function isLoopbackAddress(ip: string): boolean {
  const v = ip.toLowerCase();
  const v4 = v.startsWith('::ffff:') ? v.slice(7) : v;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  if (!isIPv6(v)) return false;
  // Expand "::" and compare the eight groups numerically with ::1.
  const [head = '', tail] = v.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.length === 8 && groups.slice(0, 7).every((g) => parseInt(g, 16) === 0) && parseInt(groups[7] ?? '', 16) === 1;
}
