import type { Command } from 'commander';
import { UsageError, out, table } from './io.js';

/** `roost discover`: Roost servers advertising on this LAN over mDNS. */
export function discoverCommands(program: Command): void {
  program.command('discover')
    .description('list Roost servers on the LAN (mDNS/DNS-SD _roost._tcp)')
    .option('--wait <seconds>', 'how long to listen for answers', '3')
    .option('--json', 'print JSON')
    .action(async (opts: { wait: string; json?: boolean }) => {
      const seconds = Number(opts.wait);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) throw new UsageError('--wait must be between 0 and 60 seconds');
      // mDNS loads only for the command that uses it.
      const { discover } = await import('../ops/mdns.js');
      const found = await discover(seconds * 1000);
      if (opts.json) {
        out(JSON.stringify({ servers: found }, null, 2));
        return;
      }
      if (found.length === 0) {
        out(`no Roost server answered within ${seconds} s (is one running with mDNS on, on this network segment?)`);
        return;
      }
      table(found.map((s) => ({ name: s.name, url: s.url, host: s.host, addresses: s.addresses.join(','), version: s.version })), ['name', 'url', 'host', 'addresses', 'version']);
    });
}
