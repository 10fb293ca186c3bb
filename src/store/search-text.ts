/**
 * Text as the search index sees it. FTS5's unicode61 tokenizer splits Latin
 * text into words by itself, but treats a run of Chinese or Japanese as one
 * token. So CJK runs, and only those (segmenting everything would cap the
 * writer's throughput), are split into words with Intl.Segmenter, at write
 * time and at query time alike; a two-character word such as 记录 is then a
 * token of its own inside 历史聊天记录.
 */

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]+/gu;
const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

function segmentRun(run: string): string {
  const words: string[] = [];
  for (const s of segmenter.segment(run)) if (s.isWordLike !== false) words.push(s.segment);
  return ` ${words.join(' ')} `;
}

/** The text written to the index for a message body. */
export function indexText(body: string): string {
  return HAS_CJK.test(body) ? body.replace(CJK_RUN, segmentRun) : body;
}

export interface MatchQuery {
  /** An FTS5 MATCH expression made only of quoted strings: user input can never be FTS5 syntax. */
  match: string;
  /** The words to highlight in snippets (lower-case), prefixes included without their `*`. */
  terms: string[];
}

const WORD = /[\p{L}\p{N}\p{M}_]+/gu;

/**
 * Turns what a person typed into a safe MATCH expression: every word becomes
 * a quoted phrase (quotes, parentheses, AND/OR/NEAR and column filters lose
 * their meaning), a trailing `*` keeps meaning "prefix", and CJK runs become
 * phrases of their segmented words. All words must match. Null when nothing
 * searchable is left.
 */
export function toMatchQuery(input: string): MatchQuery | null {
  const phrases: string[] = [];
  const terms: string[] = [];
  for (const raw of input.normalize('NFKC').split(/\s+/)) {
    const prefix = raw.endsWith('*');
    const words = (HAS_CJK.test(raw) ? indexText(raw) : raw).match(WORD);
    if (words === null) continue;
    const phrase = words.join(' ');
    phrases.push(`"${phrase.replace(/"/g, '""')}"${prefix ? '*' : ''}`);
    for (const w of words) terms.push(w.toLowerCase());
    if (phrases.length >= 16) break;
  }
  return phrases.length === 0 ? null : { match: phrases.join(' '), terms };
}

export interface Snippet { snippet: string; highlights: Array<[start: number, end: number]> }

const WINDOW = 80;

/** A short plain-text excerpt around the first match, with the UTF-16 ranges of every match in it. */
export function makeSnippet(body: string, terms: readonly string[]): Snippet {
  const lower = body.toLowerCase();
  let first = -1;
  for (const t of terms) {
    const i = lower.indexOf(t);
    if (i !== -1 && (first === -1 || i < first)) first = i;
  }
  const start = first <= WINDOW / 4 ? 0 : first - WINDOW / 4;
  const end = Math.min(body.length, start + WINDOW);
  const lead = start > 0 ? '…' : '';
  const snippet = lead + body.slice(start, end) + (end < body.length ? '…' : '');
  const highlights: Array<[number, number]> = [];
  const windowLower = lower.slice(start, end);
  for (const t of terms) {
    if (t.length === 0) continue;
    for (let i = windowLower.indexOf(t); i !== -1; i = windowLower.indexOf(t, i + t.length)) {
      highlights.push([i + lead.length, i + lead.length + t.length]);
    }
  }
  highlights.sort((a, b) => a[0] - b[0]);
  return { snippet, highlights };
}
