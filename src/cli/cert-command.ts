import { join } from 'node:path';
import type { Command } from 'commander';
import { createCertificates, detectNames, mergeNames } from '../gateway/tls-certs.js';
import { configWithDatabase, withDataOptions, type DataFlags } from './data-options.js';
import { out, UsageError } from './io.js';

interface CertFlags extends DataFlags { host?: string[]; out?: string }

/** How to make each kind of device trust the CA; printed after `roost cert create`. */
function trustSteps(caCert: string): string[] {
  return [
    `Copy ${caCert} to each device (it holds no secret), then:`,
    '  iPhone/iPad: open the file, Settings > General > VPN & Device Management > install it,',
    '               then Settings > General > About > Certificate Trust Settings > turn it on.',
    '  Android:     Settings > Security > Encryption & credentials > Install a certificate > CA certificate.',
    '  macOS:       double-click it, then in Keychain Access set "When using this certificate" to Always Trust.',
    '  Windows:     double-click it > Install Certificate > Local Machine > "Trusted Root Certification Authorities".',
    '  Debian/Pi:   sudo cp ca.crt /usr/local/share/ca-certificates/roost-ca.crt && sudo update-ca-certificates',
    '  Firefox:     Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import.',
    'Before trusting it, check that the SHA-256 fingerprint the device shows matches the one above.',
  ];
}

export function certCommands(program: Command): void {
  const cert = program.command('cert').description('TLS certificates for this box');

  withDataOptions(cert.command('create'))
    .description('make (or reuse) a local CA and a server certificate for this host\'s names and LAN addresses')
    .option('--host <name...>', 'extra host names or IP addresses to include (repeatable)')
    .option('--out <dir>', 'where to write the files (default: DATA/tls)')
    .action(async (opts: CertFlags) => {
      // DATA/tls only inside a real data folder: a mistyped --data would otherwise make one.
      const dir = opts.out ?? join(configWithDatabase(opts).dataDir, 'tls');
      let names;
      try {
        names = mergeNames(detectNames(), opts.host ?? []);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const files = await createCertificates(dir, names);
      out(files.caCreated ? `created a new local CA: ${files.caCert}` : `reusing the existing local CA: ${files.caCert}`);
      out(`CA SHA-256 fingerprint: ${files.caFingerprint}`);
      out(`server certificate: ${files.cert} (key ${files.key}, valid until ${files.notAfter.slice(0, 10)})`);
      out(`  names: ${files.names.dns.join(', ')}`);
      out(`  addresses: ${files.names.ips.join(', ')}`);
      out('');
      out(`start the server with: roost serve --tls-cert ${files.cert} --tls-key ${files.key}`);
      out(`keep ${files.caKey} private (it can sign certificates your devices will trust); it never leaves this box.`);
      out('');
      for (const line of trustSteps(files.caCert)) out(line);
    });
}
