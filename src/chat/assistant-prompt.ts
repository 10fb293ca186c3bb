import type { SearchHit, WireMessage } from '../protocol/frames.js';

/**
 * What the assistant's prompt is made of, and its budget. Tokens are
 * estimated as characters / 4 (a fair average for English with common
 * tokenizers; no tokenizer is loaded on a Pi). Everything here comes from one
 * room and was filtered to what the asker may read before it arrives.
 */

export const CHARS_PER_TOKEN = 4;

export type QuestionKind = 'catch-up' | 'past' | 'plain';

/** "catch me up", "summarize since yesterday": the asker's unread; questions about the past also get search hits. */
export function questionKind(text: string): QuestionKind {
  if (/\b(catch (me )?up|summari[sz]e|summary|what did i miss)\b/i.test(text)) return 'catch-up';
  if (/\b(when|who said|did (we|anyone|someone|you|i)|earlier|ago|last (week|month|time|year)|yesterday|remember|before|decided|mentioned)\b/i.test(text)) return 'past';
  return 'plain';
}

const STOP = new Set(['about', 'after', 'again', 'before', 'could', 'did', 'does', 'earlier', 'from', 'have', 'remember', 'said', 'should', 'that', 'their', 'there', 'they', 'this', 'what', 'when', 'where', 'which', 'while', 'with', 'would', 'yesterday', 'your', 'mentioned', 'decided', 'anyone', 'someone']);

/** The question's longest few words, each searched on its own (a search matches all its words); mentions are not words. */
export function searchWords(text: string, most = 2): string[] {
  const words = (text.replace(/@[\p{L}\p{N}._-]+/gu, ' ').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).filter((w) => w.length > 3 && !STOP.has(w));
  return [...new Set(words)].sort((a, b) => b.length - a.length).slice(0, most);
}

/** A message as the model reads it: `name: text`. Entries (room changes) and deleted messages say nothing. */
export function line(m: Pick<WireMessage, 'from' | 'body' | 'deleted' | 'event'>, nameOf: (user: number) => string): string | null {
  if (m.deleted === true || m.event !== undefined || m.body.trim() === '') return null;
  return `${nameOf(Number(m.from))}: ${m.body}`;
}

/**
 * Lines that fit in `budgetChars`, taken newest first (the input is oldest
 * first), given back oldest first. A line longer than what is left ends the fill.
 */
export function fitNewestFirst(lines: readonly string[], budgetChars: number): string[] {
  const kept: string[] = [];
  let left = budgetChars;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i] as string;
    if (l.length + 1 > left) break;
    kept.push(l);
    left -= l.length + 1;
  }
  return kept.reverse();
}

export interface PromptParts {
  botName: string;
  roomName: string;
  question: string;
  kind: QuestionKind;
  /** Recent messages (or the asker's unread for a catch-up), oldest first, already fitted. */
  context: readonly string[];
  /** Older messages found by search, already fitted. */
  found: readonly string[];
}

export function systemText(p: Pick<PromptParts, 'botName' | 'roomName' | 'kind'>): string {
  const task = p.kind === 'catch-up'
    ? 'Summarize the unread messages below for the person asking: short, the decisions and questions first.'
    : 'Answer the last question briefly. Use only the messages below; if they do not say, say you do not know.';
  return `You are ${p.botName}, an assistant in the chat room "${p.roomName}". ${task}`;
}

export function promptMessages(p: PromptParts): Array<{ role: 'system' | 'user'; content: string }> {
  const parts: string[] = [];
  if (p.found.length > 0) parts.push(`Older messages found by search:\n${p.found.join('\n')}`);
  if (p.context.length > 0) parts.push(`${p.kind === 'catch-up' ? 'Unread messages' : 'Recent messages'}:\n${p.context.join('\n')}`);
  parts.push(`Question: ${p.question}`);
  return [{ role: 'system', content: systemText(p) }, { role: 'user', content: parts.join('\n\n') }];
}

/** Search hits as lines, only this room's and only seqs from `floor` on (the asker's visibility). */
export function visibleHits(hits: readonly SearchHit[], room: number, floor: number): SearchHit[] {
  return hits.filter((h) => h.room === String(room) && h.seq >= floor);
}
