/**
 * The web client's pure logic, run in Node: links and highlights built from
 * text (never HTML), grouping, receipts, and the message window that must
 * stay gap-free however messages arrive.
 */
import t from 'tap';
import { highlight, linkify } from '../../src/web/format.js';
import { buildRows, seenAt } from '../../src/web/message-rows.js';
import type { WireMessage } from '../../src/web/protocol.js';
import { attentionCount, wantsNotification } from '../../src/web/notifications.js';
import { canEdit } from '../../src/web/room-actions.js';
import { atLatest, newRoom, withChange, withLiveMessage, withNewer, withOlder, withReads, withWindow } from '../../src/web/room-state.js';

const msg = (seq: number, from = '2', ts = 1_700_000_000_000 + seq * 1000): WireMessage => ({ room: '1', seq, msgId: String(100 + seq), from, body: `m${seq}`, ts });
const room = (lastSeq: number) => newRoom({ room: '1', name: 'general', kind: 'group', lastSeq, readSeq: 0, unread: lastSeq });

t.test('only http(s) URLs become links, without trailing punctuation; the rest stays text', async (t) => {
  t.same(linkify('see https://example.com/a_(b). ok'), [{ text: 'see ' }, { text: 'https://example.com/a_(b)', href: 'https://example.com/a_(b)' }, { text: '. ok' }]);
  t.same(linkify('www.example.org, then'), [{ text: 'www.example.org', href: 'http://www.example.org/' }, { text: ', then' }]);
  t.same(linkify('javascript:alert(1) <a href="x">'), [{ text: 'javascript:alert(1) <a href="x">' }], 'script URLs and markup are plain text');
  t.same(linkify('(https://example.com)'), [{ text: '(' }, { text: 'https://example.com', href: 'https://example.com/' }, { text: ')' }]);
  t.same(linkify(''), []);
});

t.test('highlights cut a snippet into marked and plain runs, clamping and merging ranges', async (t) => {
  t.same(highlight('历史聊天记录的备份', [[4, 6]]), [{ text: '历史聊天', mark: false }, { text: '记录', mark: true }, { text: '的备份', mark: false }]);
  t.same(highlight('abc', [[2, 9], [0, 1], [0, 1]]), [{ text: 'a', mark: true }, { text: 'b', mark: false }, { text: 'c', mark: true }]);
  t.same(highlight('abcd', [[1, 3], [2, 4]]), [{ text: 'a', mark: false }, { text: 'bc', mark: true }, { text: 'd', mark: true }]);
  t.same(highlight('abc', [[5, 7], [2, 1]]), [{ text: 'abc', mark: false }], 'empty or outside ranges mark nothing');
});

t.test('messages group by sender within five minutes, split by day and by the unread line', async (t) => {
  const base = new Date(2026, 0, 5, 10, 0).getTime();
  const ms = [msg(1, 'a', base), msg(2, 'a', base + 60_000), msg(3, 'b', base + 120_000), msg(4, 'b', base + 20 * 60_000), msg(5, 'b', base + 86_400_000)];
  const rows = buildRows(ms, 3);
  t.same(rows.map((r) => (r.kind === 'group' ? `${r.from}:${r.messages.map((m) => m.seq).join(',')}` : r.kind)),
    ['day', 'a:1,2', 'b:3', 'divider', 'b:4', 'day', 'b:5']);
});

t.test('"seen by" sits at each reader\'s last read message in the window, never on their own message', async (t) => {
  const ms = [msg(10, 'a'), msg(11, 'b'), msg(12, 'a')];
  const seen = seenAt(ms, { b: 11, c: 99, d: 3, a: 12 });
  t.same([...seen.entries()], [[12, ['c']]], 'b read up to their own message, d before the window, a their own');
  t.same([...seenAt(ms, { c: 10 }).entries()], [[10, ['c']]]);
});

t.test('the message window stays contiguous: duplicates ignored, a gap detected, older pages joined only when they fit', async (t) => {
  let r = withWindow(room(3), [msg(2), msg(3)], true);
  t.ok(atLatest(r));
  let live = withLiveMessage(r, msg(4), '1');
  t.equal(live.room.messages.length, 3);
  t.notOk(live.gap);
  live = withLiveMessage(live.room, msg(4), '1');
  t.equal(live.room.messages.length, 3, 'a message seen twice is kept once');
  live = withLiveMessage(live.room, msg(6), '1');
  t.ok(live.gap, 'seq 6 after 4 is a gap the client must fill');
  t.equal(live.room.messages.length, 3, 'and is not appended out of order');
  t.equal(live.room.lastSeq, 6, 'but the room knows it is behind');
  t.notOk(atLatest(live.room));
  const filled = withNewer(live.room, [msg(5), msg(6)]);
  t.same(filled.room.messages.map((m) => m.seq), [2, 3, 4, 5, 6]);
  t.ok(atLatest(filled.room));

  r = withOlder(filled.room, [msg(1)], false);
  t.same(r.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
  t.notOk(r.hasOlder);
  const stray = withOlder(withWindow(room(9), [msg(8), msg(9)], true), [msg(3), msg(4)], true);
  t.same(stray.messages.map((m) => m.seq), [8, 9], 'a page that does not join the window is dropped');

  const mine = withLiveMessage(withWindow(room(1), [msg(1)], false), msg(2, '1'), '1');
  t.equal(mine.room.readSeq, 2, 'sending moves one\'s own read marker');
});

t.test('Edit is offered for one\'s own live messages inside the window the server announced', async (t) => {
  const m = (from: string, ts: number, deleted?: boolean): WireMessage => ({ room: '1', seq: 1, from, ts, body: 'x', ...(deleted === true ? { deleted } : {}) }) as WireMessage;
  const minute = 60_000;
  t.ok(canEdit(m('me', 0), 'me', 15 * minute, 14 * minute), 'own message, inside the window');
  t.notOk(canEdit(m('me', 0), 'me', 15 * minute, 15 * minute), 'not once the window has passed');
  t.ok(canEdit(m('me', 0), 'me', 60 * minute, 30 * minute), 'a longer window from the server keeps it editable');
  t.notOk(canEdit(m('me', 0), 'me', 0, 1), 'a window of 0 turns editing off');
  t.notOk(canEdit(m('you', 0), 'me', 15 * minute, 1), 'never someone else\'s message');
  t.notOk(canEdit(m('me', 0, true), 'me', 15 * minute, 1), 'never a deleted one');
});

t.test('an edit replaces the message\'s text and its mentions; an edit without mentions clears them', async (t) => {
  const mentioning = { ...msg(1), mentions: ['3'] };
  let r = withWindow(room(1), [mentioning], false);
  r = withChange(r, { type: 'edited', cseq: 1, seq: 1, body: 'ask @bob', editedAt: 5, mentions: ['4'] }, '2');
  t.match(r.messages[0], { body: 'ask @bob', editedAt: 5, mentions: ['4'] });
  r = withChange(r, { type: 'edited', cseq: 2, seq: 1, body: 'ask nobody', editedAt: 6 }, '2');
  t.notOk('mentions' in (r.messages[0] ?? {}), 'no mentions listed: none any more');
  t.equal(r.lastCseq, 2);
  t.equal(withChange(r, { type: 'edited', cseq: 2, seq: 1, body: 'stale', editedAt: 6 }, '2'), r, 'a change at or below the cursor is not applied twice');
});

t.test('which live messages notify: by the room\'s level, mute, and whether they name the user', async (t) => {
  const plain = msg(1, '2');
  const naming = { ...msg(2, '2'), mentions: ['1'] };
  const decide = (notify: 'all' | 'mentions' | 'none', muted: boolean): boolean[] =>
    [plain, naming].map((m) => wantsNotification({ notify, muted }, m, '1'));
  t.same(decide('all', false), [true, true]);
  t.same(decide('mentions', false), [false, true]);
  t.same(decide('none', false), [false, false]);
  t.same(decide('all', true), [false, true], 'a muted room: only what names the user');
  t.same(decide('none', true), [false, false]);
  t.notOk(wantsNotification({ notify: 'all', muted: false }, msg(3, '1'), '1'), 'never one\'s own message');
});

t.test('the tab title counts what each room\'s settings ask attention for', async (t) => {
  const r = { lastSeq: 10, readSeq: 4, mentions: 2 };
  t.equal(attentionCount({ ...r, notify: 'all', muted: false }), 6, 'every unread message');
  t.equal(attentionCount({ ...r, notify: 'mentions', muted: false }), 2, 'unread mentions only');
  t.equal(attentionCount({ ...r, notify: 'all', muted: true }), 2, 'a muted room: its mentions');
  t.equal(attentionCount({ ...r, notify: 'none', muted: false }), 0);
});

t.test('read markers from a receipt or a receipts batch: the user\'s own moves readSeq, others\' show as seen, never backwards', async (t) => {
  const r = { ...newRoom({ room: '3', name: 'g', kind: 'group', lastSeq: 9, readSeq: 4, unread: 5 }), receipts: { '8': 6 } };
  const after = withReads(r, [{ user: '7', seq: 8 }, { user: '8', seq: 5 }, { user: '9', seq: 2 }], '7');
  t.equal(after.readSeq, 8);
  t.same(after.receipts, { '8': 6, '9': 2 });
  t.equal(withReads(after, [{ user: '7', seq: 1 }], '7').readSeq, 8);
});
