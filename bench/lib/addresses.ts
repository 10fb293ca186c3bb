/**
 * Source addresses for load-generator connections. One address has about
 * 28,000 ephemeral ports (net.ipv4.ip_local_port_range), and the server may
 * cap sockets per client address; spreading clients over 127.0.0.2-254 lifts
 * both limits on loopback.
 */

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** 127.0.0.2 … 127.0.0.254 for an IPv4 loopback target given by address; none otherwise (the kernel picks). */
export function sourceAddresses(targetHost: string): string[] {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(targetHost)) return [];
  const out: string[] = [];
  for (let i = 2; i <= 254; i++) out.push(`127.0.0.${i}`);
  return out;
}
