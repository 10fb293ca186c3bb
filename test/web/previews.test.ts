/**
 * What the room list and the reaction picker show, in Node: a message's
 * preview line, and the emoji on offer (drawn with a colour emoji font).
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { EMOJI_GROUPS, QUICK_EMOJI } from '../../src/web/emoji.js';
import { previewText } from '../../src/web/previews.js';
import type { WireMessage } from '../../src/web/protocol.js';

const base: WireMessage = { room: '1', seq: 3, msgId: '9', from: '2', body: '', ts: 1_700_000_000_000 };
const pdf = { fileId: 'f1', name: 'name.pdf', size: 1200, mime: 'application/pdf' };

t.test('a message with only a file is previewed by the file name', async (t) => {
  t.equal(previewText({ ...base, attachments: [pdf] }, 'alice'), 'alice: 📎 name.pdf');
  t.equal(previewText({ ...base, attachments: [pdf, { ...pdf, fileId: 'f2', name: 'b.png' }] }, 'alice'), 'alice: 📎 name.pdf +1', 'more files are counted');
  t.equal(previewText({ ...base, attachments: [pdf] }, ''), '📎 name.pdf', 'no sender named in a direct room');
});

t.test('text wins over files, whitespace folds to one line, deleted says so', async (t) => {
  t.equal(previewText({ ...base, body: 'see\n\nthis', attachments: [pdf] }, 'bob'), 'bob: see this');
  t.equal(previewText({ ...base, deleted: true }, 'bob'), 'bob: Message deleted');
  t.ok(previewText({ ...base, body: 'x'.repeat(500) }, 'bob').length <= 120, 'cut to a preview length');
});

t.test('the picker offers dozens of common emoji in groups, the quick ones first', async (t) => {
  const all = EMOJI_GROUPS.flatMap((g) => g.emoji);
  t.ok(all.length >= 40, `${all.length} emoji on offer`);
  for (const g of EMOJI_GROUPS) t.equal(new Set(g.emoji).size, g.emoji.length, `no emoji twice in ${g.key}`);
  for (const e of QUICK_EMOJI) t.ok(all.includes(e), `${e} is in a group too`);
  for (const e of all) t.notOk(/[\s\p{Cc}]/u.test(e), `${e} has no space or control character (the server refuses those)`);
});

t.test('the stylesheet names a colour emoji font for every platform', async (t) => {
  const css = readFileSync(new URL('../../src/web/styles.css', import.meta.url), 'utf8');
  const body = /body\s*{[^}]*font:([^;]+);/.exec(css)?.[1] ?? '';
  for (const font of ['"Noto Color Emoji"', '"Apple Color Emoji"', '"Segoe UI Emoji"']) t.ok(body.includes(font), `body font stack names ${font}`);
});
