import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS, messageHash } from '../../../src/store/history/chain.js';
import { listAudit } from '../../../src/store/history/audit.js';
import { addMember, removeMember } from '../../../src/store/admin/admin.js';
import { manifestPath, parseDate, runExport, type ExportManifest } from '../../../src/store/history/export.js';
import { escapeHtml } from '../../../src/store/history/export-format.js';
import { historyFixture, DAY } from '../history-fixture.js';

const T0 = Date.UTC(2024, 4, 1, 9, 30);

const TRICKY = [
  'plain words',
  'a "quoted" word, a comma, and a; semicolon',
  'line one\nline two\r\nline three',
  '<script>alert("x")</script> & <b>bold</b> \' apostrophe',
  '历史聊天记录 with 中文 and emoji 🎉👍🏽',
  '=SUM(A1:A9) looks like a formula',
  '',
  '   leading and trailing spaces   ',
];

/** RFC 4180 reader, enough for the round trip. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

interface DbRow { id: number; seq: number; sender_id: number; client_msg_id: string; body: string; ts: number; hash: Buffer }

function setup(t: Parameters<typeof historyFixture>[0]) {
  const f = historyFixture(t);
  f.send(f.rooms.general, TRICKY, T0);
  f.send(f.rooms.general, ['bob speaks'], T0 + DAY, f.users.bob);
  f.send(f.rooms.general, ['a week later'], T0 + 7 * DAY);
  f.send(f.rooms.secret, ['not in the export'], T0);
  const rows = f.db.prepare('SELECT id, seq, sender_id, client_msg_id, body, ts, hash FROM messages WHERE room_id = ? ORDER BY seq').all(f.rooms.general) as DbRow[];
  return { f, rows };
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

t.test('JSONL: every message, exactly as stored, with names, UTC times and hashes; the manifest matches', async (t) => {
  const { f, rows } = setup(t);
  f.close();
  const file = join(f.dir, 'general.jsonl');
  const m = await runExport(f.dir, { room: 'general', format: 'jsonl' }, { file });
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  t.equal(lines.length, rows.length);
  t.equal(m.count, rows.length);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, string | number>);
  t.same(parsed.map((p) => p.body), rows.map((r) => r.body), 'bodies byte-for-byte');
  t.same(parsed.map((p) => p.seq), rows.map((r) => r.seq));
  t.same(parsed.map((p) => p.ts), rows.map((r) => new Date(r.ts).toISOString()));
  t.ok(parsed.every((p) => typeof p.ts === 'string' && p.ts.endsWith('Z')), 'ISO 8601 UTC');
  t.same(parsed.map((p) => p.fromName), [...TRICKY.map(() => 'alice'), 'bob', 'alice']);
  t.same(parsed.map((p) => p.hash), rows.map((r) => r.hash.toString('hex')));

  const onDisk: ExportManifest = JSON.parse(readFileSync(manifestPath(file), 'utf8'));
  t.same(onDisk, m);
  t.equal(m.sha256, sha256(file), 'the manifest carries the SHA-256 of the export file');
  t.equal(m.bytes, readFileSync(file).length);
  t.equal(m.firstSeq, 1);
  t.equal(m.lastSeq, rows.length);
  t.equal(m.firstHash, rows[0]?.hash.toString('hex'));
  t.equal(m.lastHash, rows[rows.length - 1]?.hash.toString('hex'));
  t.equal(m.chainBefore, GENESIS.toString('hex'));
  t.same(m.members.map((x) => x.name).sort(), ['alice', 'bob']);

  // The export verifies on its own: recompute the chain from chainBefore.
  let prev: Buffer = Buffer.from(m.chainBefore ?? '', 'hex');
  for (const p of parsed) {
    prev = messageHash(prev, {
      id: Number(p.msgId), room_id: Number(p.room), seq: Number(p.seq), sender_id: Number(p.from), client_msg_id: String(p.clientMsgId),
      body: String(p.body), ts: Date.parse(String(p.ts)),
    });
    t.equal(prev.toString('hex'), p.hash, `seq ${p.seq} recomputes`);
  }
  t.equal(prev.toString('hex'), m.lastHash);
  const audit = (await import('../../../src/store/db/database.js')).openReadOnly(f.dir);
  t.teardown(() => audit.close());
  t.match(listAudit(audit, undefined).filter((e) => e.action === 'export'), [{ details: { count: rows.length, sha256: m.sha256 } }]);
});

t.test('CSV: RFC 4180 round trip of every field, commas, quotes and line breaks included', async (t) => {
  const { f, rows } = setup(t);
  f.close();
  const file = join(f.dir, 'general.csv');
  const m = await runExport(f.dir, { room: 'general', format: 'csv' }, { file });
  const table = parseCsv(readFileSync(file, 'utf8'));
  t.same(table[0], ['room', 'roomName', 'seq', 'msgId', 'from', 'fromName', 'clientMsgId', 'ts', 'body', 'hash']);
  const data = table.slice(1);
  t.equal(data.length, rows.length);
  t.same(data.map((r) => r[8]), rows.map((r) => r.body));
  t.same(data.map((r) => Number(r[2])), rows.map((r) => r.seq));
  t.same(data.map((r) => r[9]), rows.map((r) => r.hash.toString('hex')));
  t.equal(m.sha256, sha256(file));
});

t.test('HTML: a readable transcript with every message, everything escaped', async (t) => {
  const { f, rows } = setup(t);
  f.db.prepare("UPDATE rooms SET name = ? WHERE id = ?").run('<img src=x onerror=alert(1)>', f.rooms.general);
  f.close();
  const file = join(f.dir, 'general.html');
  const m = await runExport(f.dir, { room: String(f.rooms.general), format: 'html' }, { file });
  const html = readFileSync(file, 'utf8');
  t.equal((html.match(/<div class="m"/g) ?? []).length, rows.length, 'one block per message');
  for (const r of rows) t.ok(html.includes(`<p class="b">${escapeHtml(r.body)}</p>`), `seq ${r.seq} present, escaped`);
  t.notOk(html.includes('<script>'), 'no markup from a body survives');
  t.notOk(html.includes('<img'), 'no markup from the room name survives');
  t.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  t.match(html, /<time datetime="2024-05-01T09:30:00.000Z">2024-05-01 09:30:00Z<\/time>/);
  t.equal(m.sha256, sha256(file));
});

t.test('--from/--to select by UTC time; a date-only --to includes that whole day', async (t) => {
  const { f } = setup(t);
  f.close();
  const file = join(f.dir, 'day.jsonl');
  const m = await runExport(f.dir, { room: 'general', format: 'jsonl', from: parseDate('2024-05-02', false), to: parseDate('2024-05-02', true) }, { file });
  t.equal(m.count, 1);
  t.equal(JSON.parse(readFileSync(file, 'utf8')).body, 'bob speaks');
  t.equal(m.chainBefore, m.firstSeq === null ? null : m.chainBefore);
  t.equal(m.firstSeq, TRICKY.length + 1);
  t.equal(m.period.from, '2024-05-02T00:00:00.000Z');
  t.equal(m.period.to, '2024-05-03T00:00:00.000Z');
  t.throws(() => parseDate('yesterday', false), { code: 'bad_request' });
  t.throws(() => parseDate('05/01/2024', false), { code: 'bad_request' });
});

t.test('membership changes within the period are in the manifest', async (t) => {
  const { f } = setup(t);
  addMember(f.db, 'general', 'carol');
  removeMember(f.db, 'general', 'carol');
  f.close();
  const file = join(f.dir, 'members.jsonl');
  const m = await runExport(f.dir, { room: 'general', format: 'jsonl' }, { file });
  t.same(m.membershipChanges.filter((c) => c.user === 'carol').map((c) => c.change), ['added', 'removed']);
});

t.test('a failing target leaves no export file behind', async (t) => {
  const { f } = setup(t);
  f.close();
  const file = join(f.dir, 'no-such-folder', 'x.jsonl');
  await t.rejects(runExport(f.dir, { room: 'general', format: 'jsonl' }, { file }), { code: 'ENOENT' });
  t.notOk(existsSync(file));
  t.notOk(existsSync(`${file}.partial`));
});
