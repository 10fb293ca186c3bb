import t from 'tap';
import { readFileSync } from 'node:fs';
import { CLOSE_CODES, ERROR_CODES } from '../../src/protocol/errors.js';
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

t.test('every close code is documented', async (t) => {
  const rows = tableAfter('## Close codes');
  t.ok(rows.length > 2, 'docs/protocol.md has a close-code table under "## Close codes"');
  for (const [name, code] of Object.entries(CLOSE_CODES)) {
    t.ok(rows.some((r) => r.startsWith(`| ${code} |`)), `${name} (${code}) has a row`);
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
