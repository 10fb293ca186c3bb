import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { CLOSE_CODES, CLOSE_REASONS, ERROR_CODES, type CloseReason } from '../../src/protocol/errors.js';
import { SETTINGS } from '../../src/config/schema.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The rows of the markdown table that follows `heading`. */
function tableAfter(heading: string): string[] {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start === -1) return [];
  const rows: string[] = [];
  let inTable = false;
  for (const line of doc.slice(start + heading.length + 2).split('\n')) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(line);
    } else if (inTable) break;
    else if (line.startsWith('#')) break;
  }
  return rows;
}

t.test('every error code is documented with its HTTP status', async (t) => {
  const rows = tableAfter('## Errors');
  t.ok(rows.length > 2, 'docs/protocol.md has an error table under "## Errors"');
  for (const [code, { http }] of Object.entries(ERROR_CODES)) {
    const row = rows.find((r) => r.startsWith(`| \`${code}\` |`));
    t.ok(row, `${code} has a row`);
    t.match(row ?? '', new RegExp(`^\\| \`${code}\` \\| ${http} \\|`), `${code} is documented as HTTP ${http}`);
  }
  const documented = rows.map((r) => /^\| `([a-z_]+)` \|/.exec(r)?.[1]).filter((c): c is string => c !== undefined);
  t.same(documented.filter((c) => !Object.hasOwn(ERROR_CODES, c)), [], 'no documented code that the server does not have');
});

t.test('every close code is documented with its name, and every documented one is sent', async (t) => {
  const rows = tableAfter('## Close codes');
  t.ok(rows.length > 2, 'docs/protocol.md has a close-code table under "## Close codes"');
  for (const [name, code] of Object.entries(CLOSE_CODES)) {
    const row = rows.find((r) => r.startsWith(`| ${code} |`));
    t.ok(row, `${name} (${code}) has a row`);
    t.match(row ?? '', new RegExp(`^\\| ${code} \\| [^|]*\\(\`${name}\`\\) \\|`), `${code} is documented under its registry name ${name}`);
    t.ok(CLOSE_REASONS[name as CloseReason].length > 0, `${name} has a reason text`);
  }
  const documented = rows.map((r) => /^\| (\d{4}) \|/.exec(r)?.[1]).filter((c): c is string => c !== undefined).map(Number);
  const codes: number[] = Object.values(CLOSE_CODES);
  t.same(documented.filter((c) => !codes.includes(c)), [], 'no documented close code that the server does not send');
  t.ok(codes.every((c) => (c >= 1000 && c <= 1015) || (c >= 4000 && c <= 4999)), 'standard codes, or this protocol\'s own in 4000–4999');
});

t.test('the gateway closes sockets only with codes from the registry', async (t) => {
  const dir = new URL('../../src/gateway/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(new URL(file, dir), 'utf8');
    // `.end(1008, …)`, `closeUser(u, 4001, …)`, `closeAll(1001, …)`: a code written as a number bypasses the registry.
    t.notMatch(source, /(?:\.end|\.close|closeUser|closeAll)\([^)]*\b(?:1\d{3}|4\d{3})\b/, `${file} names close codes through CLOSE_CODES`);
  }
});

t.test('every limit in the limits table names a real setting with its real default', async (t) => {
  const rows = tableAfter('## Limits');
  t.ok(rows.length > 10);
  for (const row of rows.slice(2)) {
    const m = /^\| `([A-Za-z]+)` \| (\d+)/.exec(row);
    t.ok(m, `row is "| \`setting\` | default |": ${row}`);
    if (m === null) continue;
    const [, name = '', value] = m;
    t.ok(Object.hasOwn(SETTINGS, name), `${name} is a setting`);
    const setting = (SETTINGS as Record<string, { default: unknown }>)[name];
    t.equal(Number(value), setting?.default, `${name} default`);
  }
  for (const name of ['maxFrameBytes', 'maxBodyChars', 'maxBackpressureBytes', 'framesPerSecond', 'maxSocketsPerUser', 'maxSocketsPerIp']) {
    t.ok(rows.some((r) => r.startsWith(`| \`${name}\` |`)), `${name} is in the limits table`);
  }
});
