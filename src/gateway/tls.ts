import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { AppOptions } from '@based/uws';
import type { Config } from '../config/schema.js';
import { RoostError } from '../protocol/errors.js';

/**
 * The TLS files a server was configured with, checked before uWS sees them:
 * uWS's SSLApp does not say why a bad certificate or key fails (it only stops
 * answering), so a wrong path, an unreadable file or a key that does not
 * belong to the certificate is reported here, once, in plain words.
 */
export interface TlsFiles { cert: string; key: string }

export function tlsFiles(config: Pick<Config, 'tlsCert' | 'tlsKey'>): TlsFiles | undefined {
  const { tlsCert: cert, tlsKey: key } = config;
  if (cert === '' && key === '') return undefined;
  if (cert === '' || key === '') {
    throw new RoostError('bad_request', 'TLS needs both a certificate and a key (--tls-cert FILE --tls-key FILE)');
  }
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new RoostError('bad_request', `cannot read the TLS ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  const certPem = read(cert, 'certificate');
  const keyPem = read(key, 'key');
  try {
    // Throws when either is not PEM or the key does not match the certificate.
    createSecureContext({ cert: certPem, key: keyPem });
  } catch (err) {
    throw new RoostError('bad_request', `the TLS certificate ${cert} and key ${key} do not work together: ${(err as Error).message}`);
  }
  return { cert, key };
}

/** What uWS's SSLApp takes. Buffers are released between reads: a Pi has little RAM per socket. */
export function sslAppOptions(files: TlsFiles): AppOptions {
  return { cert_file_name: files.cert, key_file_name: files.key, ssl_prefer_low_memory_usage: true };
}
