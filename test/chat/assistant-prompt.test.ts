import t from 'tap';
import { fitNewestFirst, line, promptMessages, questionKind, searchWords, visibleHits } from '../../src/chat/assistant-prompt.js';
import type { SearchHit } from '../../src/protocol/frames.js';

t.test('the kind of question decides what enters the prompt', async (t) => {
  t.equal(questionKind('@assistant catch me up'), 'catch-up');
  t.equal(questionKind('@assistant summarize since yesterday'), 'catch-up');
  t.equal(questionKind('@assistant when did we book the hotel?'), 'past');
  t.equal(questionKind('@assistant what is 2+2'), 'plain');
});

t.test('search uses the longest words of the question, without mentions and asking words', async (t) => {
  t.same(searchWords('@assistant when did we book the hotel in lisbon?'), ['lisbon', 'hotel']);
  t.same(searchWords('did we?'), []);
});

t.test('lines are fitted newest first and given back oldest first; entries and deleted messages say nothing', async (t) => {
  t.same(fitNewestFirst(['aaaa', 'bbbb', 'cccc'], 10), ['bbbb', 'cccc'], 'each line costs its length and a newline');
  t.same(fitNewestFirst(['a', 'a very long line'], 5), [], 'a line past the budget ends the fill');
  const name = (u: number): string => `u${u}`;
  t.equal(line({ from: '7', body: 'hi' }, name), 'u7: hi');
  t.equal(line({ from: '7', body: 'gone', deleted: true }, name), null);
  t.equal(line({ from: '7', body: '', event: { kind: 'joined' } as never }, name), null);
});

t.test('search hits from another room, or from before the asker may read, are dropped', async (t) => {
  const hit = (room: string, seq: number): SearchHit => ({ room, seq, msgId: String(seq), from: '1', body: 'x', ts: 0, snippet: 'x', highlights: [] });
  t.same(visibleHits([hit('1', 5), hit('2', 9), hit('1', 2)], 1, 3).map((h) => [h.room, h.seq]), [['1', 5]]);
});

t.test('a prompt is a system text and one user text: found, recent, then the question', async (t) => {
  const m = promptMessages({ botName: 'assistant', roomName: 'family', question: 'q?', kind: 'past', context: ['a: 1'], found: ['b: 0'] });
  t.equal(m.length, 2);
  t.match(m[0], { role: 'system', content: /You are assistant, an assistant in the chat room "family"/ });
  t.equal(m[1]?.content, 'Older messages found by search:\nb: 0\n\nRecent messages:\na: 1\n\nQuestion: q?');
});
