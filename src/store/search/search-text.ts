/**
 * Text as the search index sees it. FTS5's unicode61 tokenizer splits Latin
 * text into words by itself, but treats a run of Chinese or Japanese as one
 * token. So CJK runs, and only those (segmenting everything would cap the
 * writer's throughput), are split into words with Intl.Segmenter, at write
 * time and at query time alike; a two-character word such as 记录 is then a
 * token of its own inside 历史聊天记录.
 *
 * Emoji are separators to unicode61, so each pictograph is written to the
 * index as a word of its own (`emoji1f389` for 🎉), at write and query time.
 * Non-ASCII text is NFKC-normalised on both sides, so a full-width ＡＢＣ and
 * abc are the same word. Pure ASCII bodies (most English) skip all of this.
 */

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]+/gu;
const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const EMOJI = /\p{Extended_Pictographic}/gu;
const HAS_EMOJI = /\p{Extended_Pictographic}/u;
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;
const EMOJI_WORD = /^emoji([0-9a-f]{2,6})$/;

const emojiWord = (e: string): string => ` emoji${(e.codePointAt(0) ?? 0).toString(16)} `;

// Made on the first CJK text: building one loads ICU's break rules (~2.5 MiB
// resident here), which a server that never sees Chinese or Japanese need not hold.
let segmenter: Intl.Segmenter | undefined;

function segmentRun(run: string): string {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const words: string[] = [];
  for (const s of segmenter.segment(run)) if (s.isWordLike !== false) words.push(s.segment);
  return ` ${words.join(' ')} `;
}

/** The text written to the index for a message body. */
export function indexText(body: string): string {
  if (!NON_ASCII.test(body)) return body;
  let text = body.normalize('NFKC');
  if (HAS_EMOJI.test(text)) text = text.replace(EMOJI, emojiWord);
  return HAS_CJK.test(text) ? text.replace(CJK_RUN, segmentRun) : text;
}

export interface MatchQuery {
  /** An FTS5 MATCH expression made only of quoted strings: user input can never be FTS5 syntax. */
  match: string;
  /** The words to highlight in snippets (lower-case), prefixes included without their `*`. */
  terms: string[];
}

const WORD = /[\p{L}\p{N}\p{M}_]+/gu;

/** The native `search` frame's query limit; what one query may cost. */
const MAX_QUERY_INPUT = 256;
const MAX_TERMS = 64;

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
  // The doors refuse longer queries; bounded here too, as its cost (segmenting, snippets) grows with it.
  for (const raw of input.slice(0, MAX_QUERY_INPUT).normalize('NFKC').split(/\s+/)) {
    const prefix = raw.endsWith('*');
    const words = indexText(raw).match(WORD);
    if (words === null) continue;
    const phrase = words.join(' ');
    phrases.push(`"${phrase.replace(/"/g, '""')}"${prefix ? '*' : ''}`);
    for (const w of words.slice(0, MAX_TERMS - terms.length)) {
      const emoji = EMOJI_WORD.exec(w);
      terms.push(emoji === null ? w.toLowerCase() : String.fromCodePoint(parseInt(emoji[1] ?? '0', 16)));
    }
    if (phrases.length >= 16 || terms.length >= MAX_TERMS) break;
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
